/// Which family a creation form starts on, and which channel a ticket opened from a form is
/// recorded under: rules of the map, the same for every form that opens tickets.
extension ProcessMap {
    /// The family a form starts on: the one asked for when `user` may open it, else the first (by
    /// key prefix) that `openedBy` may open and `user` reaches, preferring one that needs no CRM
    /// link. Nil when the user may open none.
    public func defaultFamily(for user: Principal, openedBy: String, asked: String?) -> String? {
        let open = families.values.filter { $0.openedBy.contains(openedBy) && AccessPolicy.mayOpen(family: $0.code, by: user) }
        if let asked, open.contains(where: { $0.code == asked }) { return asked }
        let sorted = open.sorted { $0.keyPrefix < $1.keyPrefix }
        return (sorted.first { $0.crm.require.isEmpty } ?? sorted.first)?.code
    }

    /// The channel a ticket of `family` opened through `preferred` is recorded under: `preferred`
    /// when the family takes it, else the family's first channel (a family the map opens only
    /// by mail can still be opened from a form by someone allowed to). `preferred` for a family
    /// the map does not have.
    public func channel(for family: String, preferring preferred: String) -> String {
        guard let channels = families[family]?.channels, !channels.contains(preferred), let first = channels.first else { return preferred }
        return first
    }
}
