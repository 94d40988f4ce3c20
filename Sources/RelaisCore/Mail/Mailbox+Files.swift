import Foundation

/// Splits the mailbox file formats mail tools export into single messages.
public enum MailboxFile {
    /// The messages of an mbox file: each starts at a line beginning `From ` (after the start of
    /// the file or an empty line); `>From ` lines, escaped by the writer, are unescaped.
    public static func mbox(_ bytes: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var current: [UInt8] = []
        var inMessage = false
        var previousBlank = true
        var start = 0
        func flush() {
            if inMessage {
                // The blank line before the next separator belongs to the format, not the message.
                while current.last == 0x0A || current.last == 0x0D { current.removeLast() }
                current += [0x0D, 0x0A]
                messages.append(current)
            }
            current = []
        }
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let line = bytes[start..<end]
            let next = min(end + 1, bytes.count)
            if previousBlank, line.starts(with: Array("From ".utf8)) {
                flush()
                inMessage = true
            } else if inMessage {
                var content = line
                if content.last == 0x0D { content = content.dropLast() }
                if content.first == 0x3E, content.drop(while: { $0 == 0x3E }).starts(with: Array("From ".utf8)) { content = content.dropFirst() }
                current += content
                current += [0x0D, 0x0A]
            }
            previousBlank = line.isEmpty || line == [0x0D]
            start = next
        }
        flush()
        return messages
    }
}
