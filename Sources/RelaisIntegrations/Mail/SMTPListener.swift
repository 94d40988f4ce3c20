import Foundation
import Logging
import NIOCore
import NIOPosix
import RelaisCore
import RelaisStore

/// Receives mail over SMTP (on loopback by default, behind the organisation's mail server) and
/// hands each message to intake before answering 250, so a message acknowledged is stored.
public struct SMTPListener: Sendable {
    public let host: String
    public let port: Int
    /// The intake of the map running when a session opens.
    let intake: @Sendable () -> MailIntake
    let organizationID: UUID

    public init(host: String = "127.0.0.1", port: Int, intake: MailIntake, organizationID: UUID) {
        self.init(host: host, port: port, intake: { intake }, organizationID: organizationID)
    }

    public init(host: String = "127.0.0.1", port: Int, intake: @escaping @Sendable () -> MailIntake, organizationID: UUID) {
        self.host = host
        self.port = port
        self.intake = intake
        self.organizationID = organizationID
    }

    /// How long a session may last: silent between two lines, and in all.
    public struct Limits: Sendable {
        public var idle: TimeAmount = .minutes(5)
        public var session: TimeAmount = .minutes(30)
        public init() {}
    }

    /// Listens until the task is cancelled; `onBound` gets the port (useful with port 0).
    public func run(logger: Logger, limits: Limits = Limits(), onBound: @Sendable (Int) -> Void = { _ in }) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: limits.idle))
                    try channel.pipeline.syncOperations.addHandler(IdleSessionCloser())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    // However busy, a session ends when its time is up.
                    let deadline = channel.eventLoop.scheduleTask(in: limits.session) {
                        channel.writeAndFlush(ByteBuffer(string: "421 4.4.2 session too long, closing\r\n"), promise: nil)
                        channel.close(promise: nil)
                    }
                    channel.closeFuture.whenComplete { _ in deadline.cancel() }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        onBound(server.channel.localAddress?.port ?? port)
        logger.info("mail: SMTP on \(host):\(server.channel.localAddress?.port ?? port)")
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        do {
                            try await serve(connection, logger: logger)
                        } catch {
                            logger.debug("mail: connection ended: \(error)")
                        }
                    }
                }
            }
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, logger: Logger) async throws {
        let intake = intake()
        let map = intake.map
        var session = SMTPSession(accepts: { map.mailboxes[$0] != nil })
        try await connection.executeThenClose { inbound, outbound in
            func send(_ lines: [String]) async throws {
                try await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
            }
            try await send([session.greeting])
            for try await buffer in inbound {
                let (line, ending) = SMTPLine.split(buffer)
                switch session.handle(line, ending: ending) {
                case .none: continue
                case let .reply(lines): try await send(lines)
                case let .close(lines):
                    try await send(lines)
                    return
                case let .deliver(message, recipients):
                    var accepted = true, reference = ""
                    do {
                        let outcome = try await intake.receive(message, recipients: recipients, organizationID: organizationID)
                        reference = Self.describe(outcome)
                    } catch {
                        logger.error("mail: could not store a message: \(error)")
                        accepted = false
                    }
                    try await send(session.delivered(accepted, reference: reference))
                }
            }
        }
    }

    static func describe(_ outcome: MailIntake.Outcome) -> String {
        switch outcome {
        case let .opened(key): "opened \(key)"
        case let .commented(key): "added to \(key)"
        case .bounce: "delivery report recorded"
        case let .duplicate(key): "already received" + (key.map { " (\($0))" } ?? "")
        case let .quarantined(id, _): "kept for review as \(id.text)"
        }
    }
}

/// Splits the stream into lines, each with its line end (CRLF, a bare LF, or none when a line
/// longer than 1 MiB is cut, so a peer cannot make the buffer grow without end); `SMTPLine`
/// tells them apart.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    static let longest = 1 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else {
            if buffer.readableBytes > Self.longest, let slice = buffer.readSlice(length: Self.longest) {
                context.fireChannelRead(wrapInboundOut(slice))
                return .continue
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        guard let line = buffer.readSlice(length: length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// A line as `LineDecoder` gives it: its bytes and how it ended.
enum SMTPLine {
    static func split(_ buffer: ByteBuffer) -> (line: [UInt8], ending: SMTPSession.LineEnding) {
        var bytes = Array(buffer.readableBytesView)
        guard bytes.last == 0x0A else { return (bytes, .none) }
        bytes.removeLast()
        guard bytes.last == 0x0D else { return (bytes, .lf) }
        bytes.removeLast()
        return (bytes, .crlf)
    }
}

/// Ends a session that stays silent too long: a 421 reply, then the connection closes
/// (RFC 5321 §4.5.3.2 leaves the server free to time out; it names five minutes for commands).
final class IdleSessionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else { return context.fireUserInboundEventTriggered(event) }
        context.writeAndFlush(NIOAny(ByteBuffer(string: "421 4.4.2 idle too long, closing\r\n")), promise: nil)
        context.close(promise: nil)
    }
}
