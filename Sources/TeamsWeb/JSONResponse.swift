import HTTPTypes
import MicroHTTP

/// A JSON response that no cache keeps and no browser sniffs into something else.
func jsonResponse(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
    var fields = HTTPFields()
    fields[.contentType] = "application/json; charset=utf-8"
    fields[.cacheControl] = "no-store"
    fields[.xContentTypeOptions] = "nosniff"
    return Response(status: status, headerFields: fields, body: .bytes(bytes))
}
