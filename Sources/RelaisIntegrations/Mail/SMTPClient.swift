import Foundation
import NIOCore
import NIOPosix
import RelaisCore
import RelaisStore

/// Hands messages to an SMTP relay (RFC 5321: EHLO, falling back to HELO; MAIL, RCPT, DATA with
/// dot-stuffing; QUIT), one connection per message. Plain TCP: the relay is expected on loopback
/// or a trusted network (a local Postfix, the organisation's smarthost behind it).
public struct SMTPClient: Sendable {
    public var host: String
    public var port: Int
    /// The name this side gives in EHLO.
    public var heloName: String
    /// Seconds the whole exchange of one message may take.
    public var timeout: TimeInterval

    public init(host: String, port: Int, heloName: String = "relais.localhost", timeout: TimeInterval = 60) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.timeout = timeout
    }

    /// `host:port`, the port 25 when omitted.
    public init?(relay: String) {
        let parts = relay.split(separator: ":", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) : 25
        guard let port, (1...65_535).contains(port) else { return nil }
        self.init(host: String(host), port: port)
    }

    /// A reply: its code and its text lines.
    struct Reply: Equatable {
        var code: Int
        var lines: [String]
        var text: String { "\(code) \(lines.joined(separator: " "))" }
        var isPositive: Bool { (200..<400).contains(code) }
        var isPermanent: Bool { code >= 500 }
    }

    enum Failure: Error {
        case reply(Reply)
        case closed
        case malformed(String)
        case unsafe(String)
    }

    /// Sends one message; says whether the relay took it, may take it later, or refused it.
    public func send(from: String, to recipients: [String], message: [UInt8]) async -> MailNotifier.Attempt {
        do {
            return try await withThrowingTaskGroup(of: MailNotifier.Attempt.self) { group in
                group.addTask { try await exchange(from: from, to: recipients, message: message) }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                    return .transient("the relay \(host):\(port) did not finish within \(Int(timeout)) s")
                }
                let first = try await group.next() ?? .transient("no answer")
                group.cancelAll()
                return first
            }
        } catch let Failure.reply(reply) {
            return reply.isPermanent ? .permanent(reply.text, recipients: []) : .transient(reply.text)
        } catch Failure.closed {
            return .transient("the relay \(host):\(port) closed the connection")
        } catch let Failure.unsafe(reason) {
            return .permanent("not sent: \(reason)", recipients: [])
        } catch let Failure.malformed(line) {
            return .transient("the relay \(host):\(port) answered something that is not SMTP: \(line.prefix(100))")
        } catch {
            return .transient("could not reach the relay \(host):\(port): \(error)")
        }
    }

    func exchange(from: String, to recipients: [String], message: [UInt8]) async throws -> MailNotifier.Attempt {
        // Addresses go into MAIL FROM and RCPT TO as they are: one that is not an address (a
        // line break, a comma, an angle bracket) is refused before connecting.
        for address in [from] + recipients where !MailSyntax.isAddress(address) {
            throw Failure.unsafe("'\(address.prefix(100))' is not a mail address that can be written into an SMTP command")
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            func reply() async throws -> Reply {
                var collected: [String] = []
                while true {
                    guard let buffer = try await lines.next() else { throw Failure.closed }
                    let line = String(decoding: buffer.readableBytesView, as: UTF8.self).trimmingCharacters(in: .newlines)
                    guard line.count >= 3, let code = Int(line.prefix(3)) else { throw Failure.malformed(line) }
                    collected.append(String(line.dropFirst(4)))
                    if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return Reply(code: code, lines: collected) }
                }
            }
            func command(_ text: String) async throws -> Reply {
                guard !MailSyntax.hasControl(text) else { throw Failure.unsafe("a command would hold a control character") }
                try await outbound.write(ByteBuffer(string: text + "\r\n"))
                return try await reply()
            }
            func expect(_ answer: Reply) throws {
                guard answer.isPositive else { throw Failure.reply(answer) }
            }
            try expect(try await reply())
            let hello = try await command("EHLO \(heloName)")
            if !hello.isPositive { try expect(try await command("HELO \(heloName)")) }
            try expect(try await command("MAIL FROM:<\(from)>"))
            var accepted: [String] = [], refused: [String] = [], lastRefusal: Reply?
            for recipient in recipients {
                let answer = try await command("RCPT TO:<\(recipient)>")
                if answer.isPositive {
                    accepted.append(recipient)
                } else {
                    lastRefusal = answer
                    if answer.isPermanent { refused.append(recipient) }
                }
            }
            // With some recipients taken, the message goes to them; those refused for good are
            // reported (notices have one recipient, so a partial refusal does not arise there).
            guard !accepted.isEmpty else {
                _ = try? await command("QUIT")
                let answer = lastRefusal ?? Reply(code: 554, lines: ["no recipient"])
                return answer.isPermanent ? .permanent(answer.text, recipients: refused) : .transient(answer.text)
            }
            let ready = try await command("DATA")
            guard ready.code == 354 else { throw Failure.reply(ready) }
            try await outbound.write(ByteBuffer(bytes: Self.dotStuffed(message)))
            try expect(try await reply())
            _ = try? await command("QUIT")
            return refused.isEmpty ? .sent : .permanent("refused \(refused.joined(separator: ", ")): \(lastRefusal?.text ?? "")", recipients: refused)
        }
    }

    /// The message as DATA carries it: CRLF line ends (a bare LF or a bare CR is a line end
    /// too, so no `\r.\r\n` or `\n.\n` reaches the relay as a dot line of its own), a leading
    /// dot doubled, ended by `.` alone.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + 64)
        var atLineStart = true
        var index = message.startIndex
        while index < message.endIndex {
            let byte = message[index]
            if byte == 0x0D || byte == 0x0A {
                output += [0x0D, 0x0A]
                if byte == 0x0D, index + 1 < message.endIndex, message[index + 1] == 0x0A { index += 1 }
                atLineStart = true
            } else {
                if atLineStart, byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
                output.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart || output.isEmpty { output += [0x0D, 0x0A] }
        output += Array(".\r\n".utf8)
        return output
    }
}
