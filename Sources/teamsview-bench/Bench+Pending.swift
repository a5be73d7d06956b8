extension Bench {
    func twilio() { print("\n== twilio: not built yet") }
    func post() async throws { print("\n== post: not built yet") }
    func fanOut() async throws { print("\n== fanout: not built yet") }
}
