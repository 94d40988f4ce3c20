import Foundation
import CFuzzer
import RelaisCore

/// A raw message, as the SMTP listener or the API hands it to intake.
func fuzzMIME(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? MIMEParser.parse(bytes) {
        // What is read of a message is what Relais writes again: it must stay writable.
        for address in [message.from].compactMap({ $0 }) + message.to + message.cc where !MailSyntax.isAddress(address.address) {
            fatalError("an address the parser gave cannot be written: \(address.address.debugDescription)")
        }
        for id in [message.messageID].compactMap({ $0 }) + message.inReplyTo + message.references where !MailSyntax.isMessageID(id) {
            fatalError("an id the parser gave cannot be written: \(id.debugDescription)")
        }
    }
    return 0
}

// libFuzzer runs the inputs; its options come on the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var count = CommandLine.argc
exit(LLVMFuzzerRunDriver(&count, &arguments) { data, size in
    guard let data else { return fuzzMIME(UnsafePointer(bitPattern: 1)!, 0) }
    return fuzzMIME(data, size)
})
