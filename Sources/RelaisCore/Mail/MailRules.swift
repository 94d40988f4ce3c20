import Foundation

/// What Relais does with a received message, decided from the message alone.
public enum MailRules {
    /// Why the message was sent by a machine and must never be answered, or nil for a person's
    /// message: `Auto-Submitted` other than `no`, `Precedence: bulk|junk|list`,
    /// `X-Auto-Response-Suppress`, a mailer daemon, or a delivery status report.
    public static func automaticReason(_ message: MailMessage) -> String? {
        if let auto = message.header("Auto-Submitted")?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
            !auto.isEmpty, auto != "no"
        {
            return "Auto-Submitted: \(auto)"
        }
        if let precedence = message.header("Precedence")?.trimmingCharacters(in: .whitespaces).lowercased(),
            ["bulk", "junk", "list"].contains(precedence)
        {
            return "Precedence: \(precedence)"
        }
        if message.header("X-Auto-Response-Suppress") != nil { return "X-Auto-Response-Suppress" }
        if let local = message.from?.address.split(separator: "@").first?.lowercased(),
            local == "mailer-daemon" || local == "postmaster"
        {
            return "sent by \(message.from?.address ?? local)"
        }
        if isBounce(message) { return "delivery status report" }
        return nil
    }

    /// A delivery status notification (RFC 3464), or a report from a mailer daemon.
    public static func isBounce(_ message: MailMessage) -> Bool {
        if message.contentType == "multipart/report" && !message.failedRecipients.isEmpty { return true }
        return !message.failedRecipients.isEmpty
    }

    /// A ticket key written in brackets in a subject, such as `Re: [INC-42] Mail is down`, when
    /// its prefix is one of `prefixes`.
    public static func ticketKey(inSubject subject: String, prefixes: Set<String>) -> String? {
        var rest = Substring(subject)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]") else { return nil }
            let inside = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if let dash = inside.lastIndex(of: "-"), prefixes.contains(String(inside[..<dash]).uppercased()),
                let number = Int(inside[inside.index(after: dash)...]), number > 0
            {
                return "\(inside[..<dash].uppercased())-\(number)"
            }
            rest = rest[rest.index(after: close)...]
        }
        return nil
    }

    /// Why a message cannot open a ticket.
    public struct Refusal: Error, Sendable, Equatable {
        public var reason: String
    }

    /// The ticket a new message to `mailbox` opens: the mailbox's family and team, the subject
    /// (without reply prefixes) as title, the text as description, opened by a customer where the
    /// family allows it, tied to the sender's account and contact where the family allows them.
    /// Refused when the family needs an account and the sender has none.
    public static func draft(
        for message: MailMessage, mailbox: Mailbox, family: Family, accountID: UUID?, contactID: UUID,
        automatic: Bool
    ) throws(Refusal) -> TicketDraft {
        if family.crm.require.contains(.account), accountID == nil {
            throw Refusal(reason: "family '\(family.code)' needs an account, and no account declares the domain '\(message.from?.domain ?? "")'")
        }
        var links: [CRMLink] = []
        if let accountID, family.crm.permitted.contains(.account) { links.append(CRMLink(kind: .account, id: accountID)) }
        if family.crm.permitted.contains(.contact) { links.append(CRMLink(kind: .contact, id: contactID)) }
        let subject = baseSubject(message.subject)
        return TicketDraft(
            family: family.code, title: subject.isEmpty ? "(no subject)" : String(subject.prefix(200)),
            description: message.text.trimmingCharacters(in: .whitespacesAndNewlines), channel: "email",
            openedBy: family.openedBy.contains("customer") ? "customer" : family.openedBy.first ?? "customer",
            team: mailbox.team, tags: automatic ? ["automatic"] : [], links: links)
    }

    /// The comment a reply adds: its new text, or a placeholder when it only quoted.
    public static func replyText(_ message: MailMessage) -> String {
        let body = newText(message.text)
        return body.isEmpty ? "(empty message)" : body
    }

    /// The name a message's author is shown by: `Name <address>`, or the address alone.
    public static func author(_ sender: MailAddress) -> String {
        sender.name.map { "\($0) <\(sender.address)>" } ?? sender.address
    }

    /// Whether a sender may add to a ticket found by the ids their message answers or by the key
    /// in its subject: when the sender is the ticket's contact or belongs to one of its accounts,
    /// or the ticket is tied to neither (an internal ticket, answered by whoever was written to).
    public static func mayThread(ticketAccounts: [UUID], ticketContacts: [UUID] = [], senderAccounts: [UUID], senderContact: UUID? = nil) -> Bool {
        if ticketAccounts.isEmpty && ticketContacts.isEmpty { return true }
        if let senderContact, ticketContacts.contains(senderContact) { return true }
        return senderAccounts.contains(where: ticketAccounts.contains)
    }

    /// The subject without reply and forward prefixes (`Re:`, `Fwd:`, `TR:`, `AW:`, …).
    public static func baseSubject(_ subject: String) -> String {
        var text = subject.trimmingCharacters(in: .whitespaces)
        let prefixes = ["re:", "fwd:", "fw:", "tr:", "aw:", "wg:", "rép:", "réf:", "sv:", "vs:"]
        var changed = true
        while changed {
            changed = false
            for prefix in prefixes where text.lowercased().hasPrefix(prefix) {
                text = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                changed = true
            }
        }
        return text
    }

    /// The new part of a reply: the text above the quoted history. History starts at a line
    /// introducing a quote (`On … wrote:`, `Le … a écrit :`, `-----Original Message-----`, a
    /// forwarded header block), or at the first run of `>` lines; signatures after `-- ` are cut.
    public static func newText(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var kept: [Substring] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(">") { break }
            if trimmed == "--" && line.hasPrefix("-- ") || line == "-- " { break }
            if isQuoteIntroduction(trimmed) { break }
            // "On Mon, 3 Jan 2027, Ana wrote:" is often folded over two lines.
            if index + 1 < lines.count, isQuoteIntroduction(trimmed + " " + lines[index + 1].trimmingCharacters(in: .whitespaces)),
                trimmed.lowercased().hasPrefix("on ") || trimmed.lowercased().hasPrefix("le ")
            {
                break
            }
            if (trimmed.hasPrefix("From:") || trimmed.hasPrefix("De :") || trimmed.hasPrefix("De:")) && index + 1 < lines.count {
                let following = lines[(index + 1)...].prefix(4).map { $0.trimmingCharacters(in: .whitespaces) }
                if following.contains(where: {
                    $0.hasPrefix("Sent:") || $0.hasPrefix("Envoyé :") || $0.hasPrefix("Date:") || $0.hasPrefix("To:") || $0.hasPrefix("À :")
                }) {
                    break
                }
            }
            kept.append(line)
        }
        while let last = kept.last, last.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeLast() }
        let result = kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return result.isEmpty ? text.trimmingCharacters(in: .whitespacesAndNewlines) : result
    }

    static func isQuoteIntroduction(_ line: String) -> Bool {
        let lower = line.lowercased()
        if lower.hasPrefix("-----original message-----") || lower.hasPrefix("-----message d'origine-----")
            || lower.hasPrefix("---------- forwarded message") || lower.hasPrefix("-------- message original")
        {
            return true
        }
        if lower.hasPrefix("on "), lower.hasSuffix("wrote:") { return true }
        if lower.hasPrefix("le "), lower.hasSuffix("a écrit :") || lower.hasSuffix("a écrit:") { return true }
        return false
    }
}
