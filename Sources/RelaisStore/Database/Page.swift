/// One page of a list read by keyset: its items, and the cursor of the next page when there is
/// one. Every list asks one row more than it shows; that row, never shown, is how a page knows
/// another follows (a full page alone cannot tell: the next one may be empty).
///
/// It is a collection of its items, so callers that want only them read it as one.
public struct Page<Item: Sendable>: Sendable, RandomAccessCollection {
    public var items: [Item]
    /// The opaque token of the next page (`PageCursor.token`), nil on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// The page of `fetched`, read with `limit + 1` as its limit: the first `limit` rows, and the
    /// cursor of the last of them when the extra row came.
    public init(fetched: [Item], limit: Int, cursor: (Item) -> PageCursor) {
        items = Array(fetched.prefix(limit))
        nextCursor = fetched.count > limit ? items.last.map { cursor($0).token } : nil
    }

    public var startIndex: Int { items.startIndex }
    public var endIndex: Int { items.endIndex }
    public subscript(position: Int) -> Item { items[position] }
}
