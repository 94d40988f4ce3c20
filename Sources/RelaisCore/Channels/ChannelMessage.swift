import Foundation

/// A message from a chat widget, a social network bridge or a telephony system, as the channel
/// endpoint takes it (JSON, snake_case keys).
public struct ChannelMessage: Sendable, Equatable, Codable {
    /// Threads the messages of one conversation onto one ticket.
    public var conversationID: String
    /// The sender's id for this message: the same id received twice is handled once.
    public var messageID: String?
    public var sender: Sender
    public var text: String
    /// The ticket's title when the message opens one (else the text's first line).
    public var subject: String?
    /// The family to open in; by default the first family, by code, that takes the channel.
    public var family: String?
    /// Sent by a bot or an automatic system: stored, never answered, an internal note on a ticket.
    public var automatic: Bool?

    public struct Sender: Sendable, Equatable, Codable {
        public var name: String?
        public var email: String?
        public var phone: String?
        /// The sender's id on the channel (a chat user, a social handle).
        public var handle: String?

        public init(name: String? = nil, email: String? = nil, phone: String? = nil, handle: String? = nil) {
            self.name = name
            self.email = email
            self.phone = phone
            self.handle = handle
        }
    }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", messageID = "message_id", sender, text, subject, family, automatic
    }

    public init(
        conversationID: String, messageID: String? = nil, sender: Sender, text: String, subject: String? = nil, family: String? = nil,
        automatic: Bool? = nil
    ) {
        self.conversationID = conversationID
        self.messageID = messageID
        self.sender = sender
        self.text = text
        self.subject = subject
        self.family = family
        self.automatic = automatic
    }
}

/// How channel messages become tickets and comments.
public enum ChannelRules {
    /// Why a message cannot be placed.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        /// The field at fault, when the message itself is.
        public var field: String?
        public init(reason: String, field: String? = nil) {
            self.reason = reason
            self.field = field
        }
        public var description: String { reason }
    }

    /// Channels with their own intake elsewhere, not taken by the generic endpoint.
    public static let reserved: Set<String> = ["email", "api", "portal"]

    /// The channels the generic endpoint takes (every channel some family lists, except the
    /// reserved ones), each with the families that take it, by code.
    public static func inbound(in map: ProcessMap) -> [String: [String]] {
        var channels: [String: [String]] = [:]
        for family in map.families.values.sorted(by: { $0.code < $1.code }) {
            for channel in family.channels where !reserved.contains(channel) { channels[channel, default: []].append(family.code) }
        }
        return channels
    }

    /// Reads a body: JSON with the fields of `ChannelMessage`, every problem named.
    public static func parse(_ body: [UInt8]) throws(Refusal) -> ChannelMessage {
        let message: ChannelMessage
        do {
            message = try JSONDecoder().decode(ChannelMessage.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw Refusal(reason: "'\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))' is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw Refusal(reason: "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw Refusal(reason: "the body is not a JSON object with conversation_id, sender and text")
        }
        try validate(message)
        return message
    }

    /// Checks what a message must hold: a conversation, a text, a sender that can be told apart.
    public static func validate(_ message: ChannelMessage) throws(Refusal) {
        let conversation = message.conversationID.trimmingCharacters(in: .whitespaces)
        guard !conversation.isEmpty, conversation.count <= 200 else {
            throw Refusal(reason: "'conversation_id' must hold 1 to 200 characters", field: "conversation_id")
        }
        if let id = message.messageID, id.isEmpty || id.count > 200 {
            throw Refusal(reason: "'message_id' must hold 1 to 200 characters", field: "message_id")
        }
        guard !message.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Refusal(reason: "'text' must not be empty", field: "text")
        }
        guard message.text.utf8.count <= 100_000 else { throw Refusal(reason: "'text' is longer than 100,000 bytes", field: "text") }
        let sender = message.sender
        if let email = sender.email, MailAddress.single(email) == nil {
            throw Refusal(reason: "'sender.email' is not a mail address: '\(email.prefix(100))'", field: "sender.email")
        }
        if let phone = sender.phone, phoneNumber(phone) == nil {
            throw Refusal(reason: "'sender.phone' is not a phone number: '\(phone.prefix(100))'", field: "sender.phone")
        }
        if let handle = sender.handle, handle.trimmingCharacters(in: .whitespaces).isEmpty || handle.count > 200 {
            throw Refusal(reason: "'sender.handle' must hold 1 to 200 characters", field: "sender.handle")
        }
        guard sender.email != nil || sender.phone != nil || sender.handle != nil else {
            throw Refusal(reason: "the sender needs an email, a phone or a handle", field: "sender")
        }
    }

    /// A phone number reduced to its digits, with its leading `+` kept; nil when it has fewer
    /// than 3 or more than 20 digits or holds letters.
    public static func phoneNumber(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || " +-.()/".contains($0)) }) else { return nil }
        let digits = trimmed.filter(\.isNumber)
        guard (3...20).contains(digits.count) else { return nil }
        return (trimmed.hasPrefix("+") ? "+" : "") + digits
    }

    /// The family a message opens a ticket in: the one it names, which must take the channel,
    /// or the first by code that does.
    public static func family(for message: ChannelMessage, channel: String, map: ProcessMap) throws(Refusal) -> Family {
        let candidates = map.families.values.filter { $0.channels.contains(channel) }.sorted { $0.code < $1.code }
        if let code = message.family {
            guard let family = candidates.first(where: { $0.code == code }) else {
                throw Refusal(
                    reason:
                        "family '\(code)' does not take the '\(channel)' channel (families that do: \(candidates.map(\.code).joined(separator: ", ")))"
                )
            }
            return family
        }
        guard let family = candidates.first else { throw Refusal(reason: "no family of the map takes the '\(channel)' channel") }
        return family
    }

    /// The name a message's author is shown by.
    public static func author(_ sender: ChannelMessage.Sender, channel: String) -> String {
        let identity = sender.email ?? sender.phone ?? sender.handle.map { "@\($0)" } ?? "?"
        return sender.name.map { "\($0) (\(channel): \(identity))" } ?? "\(channel): \(identity)"
    }

    /// The ticket a first message opens.
    public static func draft(
        for message: ChannelMessage, channel: String, family: Family, accountID: UUID?, contactID: UUID
    ) throws(Refusal) -> TicketDraft {
        if family.crm.require.contains(.account), accountID == nil {
            throw Refusal(reason: "family '\(family.code)' needs an account, and the sender belongs to none")
        }
        var links: [CRMLink] = []
        if let accountID, family.crm.permitted.contains(.account) { links.append(CRMLink(kind: .account, id: accountID)) }
        if family.crm.permitted.contains(.contact) { links.append(CRMLink(kind: .contact, id: contactID)) }
        let text = message.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        let title = (message.subject?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : $0 } ?? firstLine
        return TicketDraft(
            family: family.code, title: String(title.prefix(200)), description: text, channel: channel,
            openedBy: family.openedBy.contains("customer") ? "customer" : family.openedBy.first ?? "customer",
            tags: message.automatic == true ? ["automatic"] : [], links: links)
    }
}
