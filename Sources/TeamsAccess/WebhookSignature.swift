import Crypto
import Foundation

/// Twilio's request validation (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed with the account's auth token,
/// over the full URL Twilio requested followed, for form posts, by every POST parameter's name and value
/// concatenated in name order, a repeated name's distinct values in order (twilio-node `src/webhooks/webhooks.ts`,
/// `getExpectedTwilioSignature`). As there, the URL is tried with and without its port, since Twilio's signing is
/// inconsistent about the standard port.
public struct WebhookSignature: Sendable {
    let key: SymmetricKey

    public init(authToken: String) {
        key = SymmetricKey(data: Array(authToken.utf8))
    }

    /// The signature Twilio sends for `url` and the decoded form `parameters` (names may repeat).
    public func expected(url: String, parameters: [(name: String, value: String)]) -> String {
        var values: [String: Set<String>] = [:]
        for p in parameters { values[p.name, default: []].insert(p.value) }
        var message = url
        for name in values.keys.sorted() {
            for value in values[name]!.sorted() { message += name + value }
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(message.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` matches, compared in constant time.
    public func isValid(_ signature: String, url: String, parameters: [(name: String, value: String)]) -> Bool {
        let given = signature.trimmingCharacters(in: .whitespaces)
        var valid = false
        for candidate in Self.portVariants(url) where SecretToken.equal(expected(url: candidate, parameters: parameters), given) {
            valid = true
        }
        return valid
    }

    /// The URL as given, with its scheme's standard port written out, and without any port.
    static func portVariants(_ url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [url] }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd], tail = rest[authorityEnd...]
        let head = url[..<schemeEnd.upperBound]
        var host = Substring(authority), port: Substring?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        let standard = scheme == "https" ? "443" : "80"
        var variants: [String] = [url, String(head) + String(host) + String(tail)]
        if port == nil { variants.append(String(head) + String(host) + ":" + standard + String(tail)) }
        return variants
    }
}
