import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    var inboundChannels: [String: [String]] { ChannelRules.inbound(in: services.configuration.map) }

    func inboundChannel(_ name: String) throws -> String {
        guard inboundChannels[name] != nil else {
            throw APIProblem(
                "unknown-channel", .notFound, "no family of the map takes a channel named '\(name)'", field: "channel",
                allowed: inboundChannels.keys.sorted())
        }
        return name
    }

    /// The caller, when the policy lets them do `action` to channel tokens.
    func channelTokenHolder(_ action: Action) throws -> Principal {
        let principal = try RequestPrincipal.require()
        try principal.require(action, .channelToken)
        return principal
    }

    func listChannels(_ input: Operations.ListChannels.Input) async throws -> Operations.ListChannels.Output {
        let principal = try channelTokenHolder(.list)
        let issued = try await services.channelTokens.issued(organizationID: principal.organizationID)
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: inboundChannels.sorted { $0.key < $1.key }.map { channel, families in
                            .init(channel: channel, families: families, hasToken: issued[channel] != nil, tokenIssuedAt: issued[channel])
                        }))))
    }

    func issueChannelToken(_ input: Operations.IssueChannelToken.Input) async throws -> Operations.IssueChannelToken.Output {
        let principal = try channelTokenHolder(.create)
        let channel = try inboundChannel(input.path.channel)
        let token = try await services.channelTokens.issue(channel: channel, organizationID: principal.organizationID, by: principal)
        return .created(.init(body: .json(.init(channel: channel, token: token))))
    }

    func revokeChannelToken(_ input: Operations.RevokeChannelToken.Input) async throws -> Operations.RevokeChannelToken.Output {
        let principal = try channelTokenHolder(.delete)
        let channel = try inboundChannel(input.path.channel)
        guard try await services.channelTokens.revoke(channel: channel, organizationID: principal.organizationID, by: principal) else {
            throw StoreError.notFound(what: "token of channel", id: channel)
        }
        return .noContent(.init())
    }

    func receiveChannelMessage(_ input: Operations.ReceiveChannelMessage.Input) async throws -> Operations.ReceiveChannelMessage.Output {
        guard let caller = RequestChannel.current else {
            throw AccessError.forbidden("channel messages are posted with the channel's own token (relais channels token CHANNEL), not a user's")
        }
        let channel = try inboundChannel(input.path.channel)
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected an application/json body") }
        let message = ChannelMessage(
            conversationID: body.conversationId, messageID: body.messageId,
            sender: .init(name: body.sender.name, email: body.sender.email, phone: body.sender.phone, handle: body.sender.handle),
            text: body.text, subject: body.subject, family: body.family, automatic: body.automatic)
        do {
            try ChannelRules.validate(message)
        } catch {
            throw APIProblem.invalidField(error.field ?? "body", error.reason)
        }
        let outcome = try await services.channels.receive(channel: channel, message: message, organizationID: caller.organizationID)
        switch outcome {
        case .opened: return .created(.init(body: .json(encode(outcome))))
        case .quarantined: return .accepted(.init(body: .json(encode(outcome))))
        default: return .ok(.init(body: .json(encode(outcome))))
        }
    }
}
