import Foundation
import Logging
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import Synchronization
import Testing

/// Hostile messages sent through the SMTP listener, answered by acknowledgements sent through the
/// SMTP client to a relay that records every byte: no text of theirs adds an SMTP command, a
/// recipient or a header line.
@Suite struct MailInjectionTests {
    /// Raw messages as a hostile sender writes them (lines joined with CRLF).
    static func raw(_ lines: [String], body: String = "Please help.") -> [UInt8] {
        Array((lines + ["Date: Fri, 27 Nov 2026 10:00:00 +0100", "To: support@acme.example", "", body]).joined(separator: "\r\n").utf8)
    }

    @Test(arguments: Engine.available)
    func hostileHeadersAddNoCommandRecipientOrHeaderLine(engine: Engine) async throws {
        try await SMTPClientTests().withListener(engine) { inbound, database, organization in
            let map = try ExampleMap.load()
            let intake = MailIntake(map: map, database: database, tickets: TicketService(map: map, database: database))
            let hostile: [[UInt8]] = [
                // A display name that decodes to a line break and a header of its own.
                Self.raw([
                    "From: =?utf-8?q?Eve=0D=0ABcc:_victim1@evil.example?= <eve@helix.example>", "Subject: Access", "Message-ID: <m1@helix.example>",
                ]),
                // A message id whose encoded word would decode to a blank line and a new body.
                Self.raw([
                    "From: Ana <ana@helix.example>", "Subject: Invoice", "Message-ID: <=?us-ascii?q?x=0D=0A=0D=0Aphish?=@helix.example>",
                    "References: <=?us-ascii?q?r=0D=0ABcc:_victim2@evil.example?=@helix.example>",
                ]),
                // An encoded word standing for an address with a comma: a second recipient.
                Self.raw(["From: =?utf-8?q?victim3@evil.example,?= <bob@helix.example>", "Subject: Printer", "Message-ID: <m3@helix.example>"]),
                // A comma and a second address inside the angle brackets.
                Self.raw(["From: <carl@helix.example,victim4@evil.example>", "Subject: Screen", "Message-ID: <m4@helix.example>"]),
            ]
            for message in hostile {
                #expect(await inbound.send(from: "relay@helix.example", to: ["support@acme.example"], message: message) == .sent)
            }
            // A bare CR in the sender (which the SMTP client would have turned into a line end, so
            // handed to intake as it came): refused, never decoded into anything.
            let bare = Self.raw(["From: Dan\rRCPT TO:<victim5@evil.example> <dan@helix.example>", "Subject: Badge", "Message-ID: <m5@helix.example>"])
            guard case .quarantined = try await intake.receive(bare, organizationID: organization) else {
                Issue.record("a sender with a bare CR was taken")
                return
            }
            // What was refused is kept aside, with the reason.
            let quarantine = try await intake.quarantined(organizationID: organization, limit: 10, before: nil)
            #expect(quarantine.contains { $0.reason.contains("From header holds a control character") }, "\(quarantine.map(\.reason))")

            // The acknowledgements go out to the recording relay.
            let recorder = try await SMTPRecorder.start()
            let sender = MailSender(
                notifier: MailNotifier(map: map, database: database), client: SMTPClient(host: "127.0.0.1", port: recorder.port, timeout: 30))
            let round = try await sender.runOnce()
            #expect(round.sent >= 3, "\(round)")
            let commands = recorder.commands
            let recipients = commands.filter { $0.uppercased().hasPrefix("RCPT") }
            #expect(!recipients.isEmpty)
            for recipient in recipients {
                #expect(recipient.range(of: #"^RCPT TO:<[a-z]+@helix\.example>$"#, options: .regularExpression) != nil, "\(recipient)")
            }
            #expect(!commands.joined().contains("evil.example"), "\(commands)")
            for message in recorder.messages {
                let header = message.prefix { $0 != "\r\n" }
                for line in header {
                    // Every header line is `Name: value` or a folded continuation, ended by CRLF.
                    #expect(
                        line.hasSuffix("\r\n") && !line.unicodeScalars.dropLast(2).contains(where: { $0 == "\r" || $0 == "\n" }),
                        "\(line.debugDescription)")
                    #expect(line.hasPrefix(" ") || line.range(of: #"^[A-Za-z-]+: "#, options: .regularExpression) != nil, "\(line.debugDescription)")
                    #expect(!line.lowercased().hasPrefix("bcc:"), "\(line.debugDescription)")
                }
                // One recipient, of the sender's domain, whatever text the name carries.
                let to = try #require(header.first { $0.hasPrefix("To: ") })
                let addresses = MailAddress.list(String(to.dropFirst(4)).trimmingCharacters(in: .newlines))
                #expect(addresses.count == 1 && addresses.first?.domain == "helix.example", "\(to.debugDescription) \(addresses)")
                #expect(!message.contains("phish\r\n"), "\(message)")
            }
            await recorder.stop()
        }
    }
}
