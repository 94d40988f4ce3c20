import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A relay that takes whatever it is sent and keeps every byte of the conversation, to check
/// what Relais writes on the wire: commands one per line, each message's DATA as sent.
final class SMTPRecorder: Sendable {
    let channel: any Channel
    private let lines = Mutex<[(connection: Int, line: String)]>([])
    private let connections = Mutex(0)

    var port: Int { channel.localAddress?.port ?? 0 }
    /// Every line received, line ends included, connection after connection.
    var conversation: [String] {
        lines.withLock { list in
            list.enumerated().sorted { ($0.element.connection, $0.offset) < ($1.element.connection, $1.offset) }.map(\.element.line)
        }
    }
    /// The commands received outside DATA, without line ends.
    var commands: [String] {
        var inData = false
        var commands: [String] = []
        for line in conversation {
            if inData {
                if line == ".\r\n" { inData = false }
                continue
            }
            let command = line.trimmingCharacters(in: .newlines)
            commands.append(command)
            if command.uppercased() == "DATA" { inData = true }
        }
        return commands
    }
    /// Each message's lines as received in DATA, line ends included.
    var messages: [[String]] {
        var messages: [[String]] = [], current: [String]? = nil
        for line in conversation {
            if current != nil {
                if line == ".\r\n" {
                    messages.append(current!)
                    current = nil
                } else {
                    current!.append(line)
                }
            } else if line.trimmingCharacters(in: .newlines).uppercased() == "DATA" {
                current = []
            }
        }
        return messages
    }

    private init(channel: any Channel) { self.channel = channel }

    static func start() async throws -> SMTPRecorder {
        let box = Mutex<SMTPRecorder?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let recorder = box.withLock { $0 }
                    let number =
                        recorder?.connections.withLock { count in
                            count += 1
                            return count
                        } ?? 0
                    try channel.pipeline.syncOperations.addHandler(
                        RecordingHandler(record: { line in
                            recorder?.lines.withLock { $0.append((number, line)) }
                        }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let recorder = SMTPRecorder(channel: channel)
        box.withLock { $0 = recorder }
        return recorder
    }

    func stop() async { try? await channel.close() }
}

/// Splits what comes in at each LF (keeping it) and answers as a relay that takes everything.
private final class RecordingHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let record: @Sendable (String) -> Void
    var pending: [UInt8] = []
    var inData = false

    init(record: @escaping @Sendable (String) -> Void) { self.record = record }

    func channelActive(context: ChannelHandlerContext) {
        reply("220 recorder ready", context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += Array(unwrapInboundIn(data).readableBytesView)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = String(decoding: pending[...newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            record(line)
            if inData {
                if line == ".\r\n" {
                    inData = false
                    reply("250 2.0.0 taken", context: context)
                }
                continue
            }
            let verb = line.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            if verb == "DATA" {
                inData = true
                reply("354 go on", context: context)
            } else if verb.hasPrefix("EHLO") {
                reply("250 recorder", context: context)
            } else if verb == "QUIT" {
                reply("221 bye", context: context)
                context.close(promise: nil)
            } else {
                reply("250 2.0.0 OK", context: context)
            }
        }
    }

    func reply(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
    }
}
