/// A line-by-line difference between two texts, written the way `diff -u` writes it.
public enum LineDiff {
    /// The unified diff of `old` into `new` with `context` unchanged lines around each change;
    /// empty when the texts have the same lines.
    public static func unified(_ old: String, _ new: String, oldName: String = "a", newName: String = "b", context: Int = 3) -> String {
        let before = lines(old), after = lines(new)
        let difference = after.difference(from: before)
        guard !difference.isEmpty else { return "" }
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case let .remove(offset, _, _): removed.insert(offset)
            case let .insert(offset, _, _): inserted.insert(offset)
            }
        }
        // Walk both texts at once: an edit script of (kind, old index, new index).
        enum Kind { case same, remove, insert }
        var script: [(Kind, Int, Int)] = []
        var i = 0, j = 0
        while i < before.count || j < after.count {
            if i < before.count, removed.contains(i) {
                script.append((.remove, i, j))
                i += 1
            } else if j < after.count, inserted.contains(j) {
                script.append((.insert, i, j))
                j += 1
            } else {
                script.append((.same, i, j))
                i += 1
                j += 1
            }
        }
        var output = ["--- \(oldName)", "+++ \(newName)"]
        var index = 0
        while index < script.count {
            guard script[index].0 != .same else {
                index += 1
                continue
            }
            // A hunk: from `context` lines before this change to `context` lines after the last
            // change closer than twice the context.
            let start = max(0, index - context)
            var end = index
            var look = index
            while look < script.count {
                if script[look].0 != .same {
                    end = look
                    look += 1
                    continue
                }
                if look - end > 2 * context { break }
                look += 1
            }
            let stop = min(script.count, end + context + 1)
            let hunk = script[start..<stop]
            let oldCount = hunk.filter { $0.0 != .insert }.count, newCount = hunk.filter { $0.0 != .remove }.count
            let oldStart = hunk.first!.1 + (oldCount == 0 ? 0 : 1), newStart = hunk.first!.2 + (newCount == 0 ? 0 : 1)
            output.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for (kind, oldIndex, newIndex) in hunk {
                switch kind {
                case .same: output.append(" " + before[oldIndex])
                case .remove: output.append("-" + before[oldIndex])
                case .insert: output.append("+" + after[newIndex])
                }
            }
            index = stop
        }
        return output.joined(separator: "\n") + "\n"
    }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
