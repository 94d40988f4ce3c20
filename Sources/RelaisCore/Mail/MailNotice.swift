import Foundation

/// The mail a requester gets about their ticket.
public enum MailNotice: String, Sendable, Equatable, CaseIterable {
    /// The ticket was opened: an automatic answer to the requester's message.
    case acknowledgement
    /// An agent wrote a public reply.
    case reply
    /// The ticket was solved: the requester is asked to confirm or to answer.
    case solved
    /// The developers shipped the fix the ticket waited for.
    case fixShipped = "fix_shipped"

    /// The notice an outbox event calls for, if any: a ticket opened, an agent's public comment,
    /// a move into a solved status.
    public static func of(type: String, data: [String: String?]) -> MailNotice? {
        switch type {
        case "relais.ticket.created": .acknowledgement
        case "relais.ticket.commented" where data["field"] == "public" && data["to"] == TicketChange.agentAuthor: .reply
        case "relais.ticket.status_changed" where data["status_category"] == StatusCategory.solved.rawValue: .solved
        case "relais.ticket.fix_shipped": .fixShipped
        default: nil
        }
    }

    /// RFC 3834's value for the notice: nil for what a person wrote.
    public var autoSubmitted: String? {
        switch self {
        case .acknowledgement: "auto-replied"
        case .solved, .fixShipped: "auto-generated"
        case .reply: nil
        }
    }

    /// `[KEY] title` for the first message of a ticket, `Re: [KEY] title` after it, so replies
    /// find their ticket by the key even when a client drops the threading headers.
    public func subject(key: String, title: String) -> String {
        let base = "[\(key)] \(title)"
        return self == .acknowledgement ? base : "Re: \(base)"
    }

    /// What a notice says, in plain text.
    public struct Content: Sendable, Equatable {
        public var requesterName: String?
        public var key: String
        public var title: String
        public var organization: String
        /// The agent's reply, for `.reply`.
        public var comment: String?
        /// The agent who wrote the reply.
        public var author: String?
        /// The resolution note, for `.solved`.
        public var resolution: String?
        /// `fr` writes in French; anything else in English.
        public var language: String

        public init(
            requesterName: String?, key: String, title: String, organization: String, comment: String? = nil,
            author: String? = nil, resolution: String? = nil, language: String = "en"
        ) {
            self.requesterName = requesterName
            self.key = key
            self.title = title
            self.organization = organization
            self.comment = comment
            self.author = author
            self.resolution = resolution
            self.language = language
        }
    }

    public func body(_ content: Content) -> String {
        let words = content.language == "fr" ? Wording.french : Wording.english
        let paragraphs: [String] =
            switch self {
            case .acknowledgement:
                [words.received(content.key, content.title) + "\n" + words.addTo(content.key)]
            case .reply:
                [words.wrote(content.author, content.key), content.comment ?? "", words.replyToAnswer]
            case .solved:
                [words.solved(content.key, content.title) + (content.resolution.map { "\n\n" + words.resolution($0) } ?? ""), words.ifNotSolved]
            case .fixShipped:
                [words.fixShipped(content.key, content.title), words.ifStillWrong]
            }
        return ([words.greeting(content.requesterName)] + paragraphs + [words.signature(content.organization)]).joined(separator: "\n\n")
    }

    /// What notices say, in one language.
    struct Wording: Sendable {
        var greeting: @Sendable (String?) -> String
        var received: @Sendable (String, String) -> String
        var addTo: @Sendable (String) -> String
        var wrote: @Sendable (String?, String) -> String
        var replyToAnswer: String
        var solved: @Sendable (String, String) -> String
        var resolution: @Sendable (String) -> String
        var ifNotSolved: String
        var fixShipped: @Sendable (String, String) -> String
        var ifStillWrong: String
        var signature: @Sendable (String) -> String

        static let english = Wording(
            greeting: { name in name.map { "Hello \($0)," } ?? "Hello," },
            received: { key, title in "We have received your request and opened ticket \(key): \(title)." },
            addTo: { key in "To add to it, reply to this message and keep [\(key)] in the subject." },
            wrote: { author, key in "\(author.map { "\($0) wrote" } ?? "We wrote") on ticket \(key):" },
            replyToAnswer: "Reply to this message to answer.",
            solved: { key, title in "We have solved ticket \(key): \(title)." },
            resolution: { "Resolution: \($0)" },
            ifNotSolved:
                "If it is solved for you too, there is nothing to do. If it is not, reply to this message\nand the ticket goes back to the team.",
            fixShipped: { key, title in "The fix our developers made for ticket \(key): \(title) has shipped." },
            ifStillWrong: "If the problem is still there for you, reply to this message and tell us what you see.",
            signature: { "-- \n\($0) service desk" })

        static let french = Wording(
            greeting: { name in name.map { "Bonjour \($0)," } ?? "Bonjour," },
            received: { key, title in "Nous avons bien reçu votre demande et ouvert le ticket \(key) : \(title)." },
            addTo: { key in "Pour la compléter, répondez à ce message en gardant [\(key)] dans l'objet." },
            wrote: { author, key in "\(author.map { "\($0) a écrit" } ?? "Nous avons écrit") sur le ticket \(key) :" },
            replyToAnswer: "Répondez à ce message pour lui répondre.",
            solved: { key, title in "Nous avons résolu le ticket \(key) : \(title)." },
            resolution: { "Résolution : \($0)" },
            ifNotSolved: "Si c'est résolu pour vous aussi, vous n'avez rien à faire. Sinon, répondez à ce message\net le ticket retourne à l'équipe.",
            fixShipped: { key, title in "Le correctif de nos développeurs pour le ticket \(key) : \(title) a été livré." },
            ifStillWrong: "Si le problème persiste chez vous, répondez à ce message en nous décrivant ce que vous constatez.",
            signature: { "-- \nLe support \($0)" })
    }
}
