import Foundation

/// The server side of one SMTP conversation (RFC 5321), without the network: lines in, replies
/// out, and a message to deliver when `DATA` ends. Only mail for `accepts` is taken, so the
/// listener relays nothing.
public struct SMTPSession: Sendable {
    public enum Action: Sendable, Equatable {
        /// Send these reply lines (each without its CRLF).
        case reply([String])
        /// Send the reply, then close the connection.
        case close([String])
        /// Hand the message to intake, then send `reply(for:)` of its result.
        case deliver(message: [UInt8], recipients: [String])
        /// A line of the message: nothing to send.
        case none
    }

    enum State: Sendable { case greeted, ready, mail, data }

    /// How a line ended on the wire. Only CRLF ends a line of DATA before the final dot: a dot
    /// after a bare LF is text, so a message cannot hide a second one behind `\n.\n` that a
    /// server upstream reads differently (SMTP smuggling).
    public enum LineEnding: Sendable, Equatable {
        case crlf, lf
        /// A line cut because it was too long, to be continued by the next one.
        case none
    }

    public let hostname: String
    public let maxSize: Int
    let accepts: @Sendable (String) -> Bool
    var state = State.greeted
    var sender: String?
    var recipients: [String] = []
    var data: [UInt8] = []
    var tooLarge = false
    var errors = 0
    /// How the last line of DATA ended (the DATA command itself in CRLF): only after a CRLF may
    /// `.` end the message.
    var previousEnding = LineEnding.crlf
    /// Longest command line taken (RFC 5321 §4.5.3.1.4: 512 octets; some clients send more).
    public static let longestCommand = 2_048

    public init(hostname: String = "relais", maxSize: Int = 25 << 20, accepts: @escaping @Sendable (String) -> Bool) {
        self.hostname = hostname
        self.maxSize = maxSize
        self.accepts = accepts
    }

    /// The greeting, sent on connection.
    public var greeting: String { "220 \(hostname) Relais ESMTP ready" }

    /// Reads one line (without its line end), which ended as `ending` says.
    public mutating func handle(_ line: [UInt8], ending: LineEnding = .crlf) -> Action {
        if state == .data { return dataLine(line, ending: ending) }
        guard ending != .none, line.count <= Self.longestCommand else { return refuse("500 5.5.6 line too long") }
        guard !line.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else { return refuse("501 5.5.2 control character in a command") }
        let text = String(decoding: line, as: UTF8.self)
        let verb = text.prefix { $0 != " " }.uppercased()
        let argument = text.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
        switch verb {
        case "EHLO":
            reset()
            state = .ready
            return .reply(["250-\(hostname) greets \(argument.isEmpty ? "you" : argument)", "250-SIZE \(maxSize)", "250-8BITMIME", "250 PIPELINING"])
        case "HELO":
            reset()
            state = .ready
            return .reply(["250 \(hostname)"])
        case "MAIL":
            guard state != .greeted else { return refuse("503 5.5.1 say EHLO first") }
            guard let address = Self.path(argument, after: "FROM:") else { return refuse("501 5.5.4 syntax: MAIL FROM:<address>") }
            if let size = Self.sizeParameter(argument), size > maxSize { return refuse("552 5.3.4 message larger than \(maxSize) bytes") }
            reset()
            sender = address
            state = .mail
            return .reply(["250 2.1.0 sender OK"])
        case "RCPT":
            guard state == .mail else { return refuse("503 5.5.1 MAIL first") }
            guard let address = Self.path(argument, after: "TO:"), !address.isEmpty else { return refuse("501 5.5.4 syntax: RCPT TO:<address>") }
            guard accepts(address.lowercased()) else { return refuse("550 5.1.1 <\(address)>: no such mailbox here") }
            guard recipients.count < 100 else { return refuse("452 4.5.3 too many recipients") }
            recipients.append(address.lowercased())
            return .reply(["250 2.1.5 recipient OK"])
        case "DATA":
            guard state == .mail, !recipients.isEmpty else { return refuse("503 5.5.1 RCPT first") }
            state = .data
            data = []
            tooLarge = false
            previousEnding = .crlf
            return .reply(["354 end data with <CR><LF>.<CR><LF>"])
        case "RSET":
            reset()
            if state != .greeted { state = .ready }
            return .reply(["250 2.0.0 reset"])
        case "NOOP": return .reply(["250 2.0.0 OK"])
        case "VRFY": return .reply(["252 2.5.2 cannot verify, send some mail"])
        case "QUIT": return .close(["221 2.0.0 bye"])
        default: return refuse("500 5.5.2 command not recognised")
        }
    }

    /// The reply once intake has the message: taken, or a temporary failure to try again later.
    public mutating func delivered(_ accepted: Bool, reference: String) -> [String] {
        reset()
        state = .ready
        return accepted ? ["250 2.0.0 OK: \(reference)"] : ["451 4.3.0 could not store the message now, try again later"]
    }

    mutating func dataLine(_ line: [UInt8], ending: LineEnding) -> Action {
        // The line starts a line unless the one before was cut; only `.` CRLF after a CRLF ends DATA.
        let startsLine = previousEnding != .none
        let ends = line == [0x2E] && ending == .crlf && previousEnding == .crlf
        previousEnding = ending
        if ends {
            if tooLarge {
                reset()
                state = .ready
                return .reply(["552 5.3.4 message larger than \(maxSize) bytes"])
            }
            return .deliver(message: data, recipients: recipients)
        }
        guard !tooLarge else { return .none }
        // A line starting with a dot was sent with one more (dot-stuffing); a line's end is
        // stored as CRLF whichever way it came, and a cut line runs on into the next.
        let content = startsLine && line.first == 0x2E && line.count > 1 ? line.dropFirst() : line[...]
        if data.count + content.count + 2 > maxSize {
            tooLarge = true
            data = []
            return .none
        }
        data.append(contentsOf: content)
        if ending != .none { data.append(contentsOf: [0x0D, 0x0A]) }
        return .none
    }

    mutating func reset() {
        sender = nil
        recipients = []
        data = []
        tooLarge = false
    }

    mutating func refuse(_ reply: String) -> Action {
        errors += 1
        return errors > 20 ? .close([reply, "421 4.7.0 too many errors, closing"]) : .reply([reply])
    }

    /// `FROM:<a@b> SIZE=10` → `a@b`; the null sender `<>` is empty.
    static func path(_ argument: String, after prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") { return String(rest[rest.index(after: rest.startIndex)..<close]) }
        let bare = rest.prefix { $0 != " " }
        return bare.isEmpty ? nil : String(bare)
    }

    static func sizeParameter(_ argument: String) -> Int? {
        argument.split(separator: " ").first { $0.uppercased().hasPrefix("SIZE=") }.flatMap { Int($0.dropFirst(5)) }
    }
}
