/// A business signal raised for sales or customer success, such as churn risk or upsell.
/// Conditions and actions are kept as the map wrote them; evaluating them comes with the CRM work.
public struct SignalRule: Sendable, Equatable {
    public var code: String
    public var when: [String: String]
    public var then: [String: String]

    public init(code: String, when: [String: String], then: [String: String]) {
        self.code = code
        self.when = when
        self.then = then
    }
}
