import Foundation

/// The mail a requester gets about their ticket.
public enum MailNotice: String, Sendable, Equatable, CaseIterable {
    /// The ticket was opened: an automatic answer to the requester's message.
    case acknowledgement
    /// An agent wrote a public reply.
    case reply
    /// The ticket was solved: the requester is asked to confirm or to answer.
    case solved

    /// The notice an outbox event calls for, if any: a ticket opened, an agent's public comment,
    /// a move into a solved status.
    public static func of(type: String, data: [String: String?]) -> MailNotice? {
        switch type {
        case "relais.ticket.created": .acknowledgement
        case "relais.ticket.commented" where data["field"] == "public" && data["to"] == TicketChange.agentAuthor: .reply
        case "relais.ticket.status_changed" where data["status_category"] == StatusCategory.solved.rawValue: .solved
        default: nil
        }
    }

    /// RFC 3834's value for the notice: nil for what a person wrote.
    public var autoSubmitted: String? {
        switch self {
        case .acknowledgement: "auto-replied"
        case .solved: "auto-generated"
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

        public init(requesterName: String?, key: String, title: String, organization: String, comment: String? = nil,
                    author: String? = nil, resolution: String? = nil, language: String = "en") {
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
        content.language == "fr" ? frenchBody(content) : englishBody(content)
    }

    func englishBody(_ content: Content) -> String {
        let greeting = content.requesterName.map { "Hello \($0)," } ?? "Hello,"
        let signature = "-- \n\(content.organization) service desk"
        switch self {
        case .acknowledgement:
            return """
                \(greeting)

                We have received your request and opened ticket \(content.key): \(content.title).
                To add to it, reply to this message and keep [\(content.key)] in the subject.

                \(signature)
                """
        case .reply:
            let who = content.author.map { "\($0) wrote" } ?? "We wrote"
            return """
                \(greeting)

                \(who) on ticket \(content.key):

                \(content.comment ?? "")

                Reply to this message to answer.

                \(signature)
                """
        case .solved:
            let note = content.resolution.map { "\n\nResolution: \($0)" } ?? ""
            return """
                \(greeting)

                We have solved ticket \(content.key): \(content.title).\(note)

                If it is solved for you too, there is nothing to do. If it is not, reply to this message
                and the ticket goes back to the team.

                \(signature)
                """
        }
    }

    func frenchBody(_ content: Content) -> String {
        let greeting = content.requesterName.map { "Bonjour \($0)," } ?? "Bonjour,"
        let signature = "-- \nLe support \(content.organization)"
        switch self {
        case .acknowledgement:
            return """
                \(greeting)

                Nous avons bien reçu votre demande et ouvert le ticket \(content.key) : \(content.title).
                Pour la compléter, répondez à ce message en gardant [\(content.key)] dans l'objet.

                \(signature)
                """
        case .reply:
            let who = content.author.map { "\($0) a écrit" } ?? "Nous avons écrit"
            return """
                \(greeting)

                \(who) sur le ticket \(content.key) :

                \(content.comment ?? "")

                Répondez à ce message pour lui répondre.

                \(signature)
                """
        case .solved:
            let note = content.resolution.map { "\n\nRésolution : \($0)" } ?? ""
            return """
                \(greeting)

                Nous avons résolu le ticket \(content.key) : \(content.title).\(note)

                Si c'est résolu pour vous aussi, vous n'avez rien à faire. Sinon, répondez à ce message
                et le ticket retourne à l'équipe.

                \(signature)
                """
        }
    }
}
