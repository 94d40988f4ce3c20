/// The configuration items of an organisation as a graph along which incidents spread, for
/// impact analysis: which items, services and accounts suffer when one item fails.
///
/// Items are numbered `0..<count`; an edge `a → b` means "a failing hurts b", already turned the
/// right way from the relation's declared direction. Edges are held in compressed rows, so a
/// graph of 100,000 items and 500,000 relations is two flat arrays.
public struct ImpactGraph: Sendable {
    public let count: Int
    /// Edges leaving item `n` are `targets[offsets[n] ..< offsets[n + 1]]`.
    let offsets: [Int32]
    let targets: [Int32]
    /// The relation type of each edge, as an index into `relationNames`.
    let edgeRelations: [UInt16]
    public let relationNames: [String]

    /// An item reached from the failing one.
    public struct Reached: Sendable, Equatable {
        public var item: Int
        /// Number of relations crossed on the shortest way from the failing item.
        public var distance: Int
        /// The item it was reached from on that way, and the relation crossed.
        public var via: Int
        public var relation: String
    }

    /// Builds the graph from relations `source → target` of the named types; relations whose type
    /// carries no impact are left out, unknown types too (the store refuses them earlier).
    public init(count: Int, sources: [Int32], relationTypes: [String], targets relationTargets: [Int32], schema: [String: CMDBSchema.RelationType]) {
        precondition(sources.count == relationTypes.count && sources.count == relationTargets.count)
        self.count = count
        var names: [String] = []
        var nameIndex: [String: UInt16] = [:]
        var from: [Int32] = [], to: [Int32] = [], kinds: [UInt16] = []
        from.reserveCapacity(sources.count)
        to.reserveCapacity(sources.count)
        kinds.reserveCapacity(sources.count)
        for index in sources.indices {
            let type = relationTypes[index]
            let (source, target) = (sources[index], relationTargets[index])
            guard let direction = schema[type]?.impact, direction != .none,
                source >= 0, target >= 0, Int(source) < count, Int(target) < count
            else { continue }
            let kind: UInt16
            if let known = nameIndex[type] {
                kind = known
            } else {
                kind = UInt16(names.count)
                nameIndex[type] = kind
                names.append(type)
            }
            // `source` depends on `target`: the target failing hurts the source, and the other way round.
            from.append(direction == .source ? target : source)
            to.append(direction == .source ? source : target)
            kinds.append(kind)
        }
        // Counting sort of the edges by their failing end.
        var offsets = [Int32](repeating: 0, count: count + 1)
        for node in from { offsets[Int(node) + 1] += 1 }
        for node in 0..<count { offsets[node + 1] += offsets[node] }
        var next = offsets
        var sortedTargets = [Int32](repeating: 0, count: from.count)
        var sortedKinds = [UInt16](repeating: 0, count: from.count)
        for edge in from.indices {
            let slot = Int(next[Int(from[edge])])
            next[Int(from[edge])] += 1
            sortedTargets[slot] = to[edge]
            sortedKinds[slot] = kinds[edge]
        }
        self.offsets = offsets
        self.targets = sortedTargets
        self.edgeRelations = sortedKinds
        self.relationNames = names
    }

    public var edgeCount: Int { targets.count }

    /// Every item hurt when `start` fails, nearest first, each once however many ways lead to it
    /// (diamonds) and however the relations loop back (cycles). `start` itself is not listed.
    /// `maxDepth` stops the walk that many relations away.
    public func impacted(from start: Int, maxDepth: Int? = nil) -> [Reached] {
        guard start >= 0, start < count else { return [] }
        var parent = [Int32](repeating: -1, count: count)
        var distance = [Int32](repeating: 0, count: count)
        var relation = [UInt16](repeating: 0, count: count)
        parent[start] = Int32(start)
        var queue: [Int32] = [Int32(start)]
        var head = 0
        let limit = maxDepth.map { Int32(clamping: $0) } ?? .max
        targets.withUnsafeBufferPointer { targets in
            while head < queue.count {
                let node = Int(queue[head])
                head += 1
                let depth = distance[node]
                guard depth < limit else { continue }
                for edge in Int(offsets[node])..<Int(offsets[node + 1]) {
                    let next = Int(targets[edge])
                    guard parent[next] < 0 else { continue }
                    parent[next] = Int32(node)
                    distance[next] = depth + 1
                    relation[next] = edgeRelations[edge]
                    queue.append(Int32(next))
                }
            }
        }
        return queue.dropFirst().map { node in
            let item = Int(node)
            return Reached(item: item, distance: Int(distance[item]), via: Int(parent[item]), relation: relationNames[Int(relation[item])])
        }
    }

    /// The way from the failing item to `reached`, as items, given the walk that reached it.
    public static func path(to item: Int, in walk: [Reached], from start: Int) -> [Int] {
        var parents: [Int: Int] = [:]
        for step in walk { parents[step.item] = step.via }
        var path = [item]
        var current = item
        while current != start, let parent = parents[current], path.count <= walk.count + 1 {
            path.append(parent)
            current = parent
        }
        return path.reversed()
    }
}
