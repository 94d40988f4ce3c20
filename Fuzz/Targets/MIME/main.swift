import Foundation
import FuzzDriver
import RelaisCore

/// A raw message, as the SMTP listener or the API hands it to intake.
func fuzzMIME(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    if let message = try? MIMEParser.parse(bytes) {
        // What is read of a message is what Relais writes again: it must stay writable.
        for address in [message.from].compactMap({ $0 }) + message.to + message.cc where !MailSyntax.isAddress(address.address) {
            fatalError("an address the parser gave cannot be written: \(address.address.debugDescription)")
        }
        for id in [message.messageID].compactMap({ $0 }) + message.inReplyTo + message.references where !MailSyntax.isMessageID(id) {
            fatalError("an id the parser gave cannot be written: \(id.debugDescription)")
        }
    }
}

runFuzzer(fuzzMIME)
