import Foundation
import TernEngine
import TernPlan
import TernSSH
import Testing

/// Which keys are offered, and what a refusal says.
@Suite struct AuthenticationTests {
    @Test func aKeyTheServerDoesNotKnowIsRefusedWithTheKeysNamed() async throws {
        let server = try SSHServer()
        let stranger = server.directory + "/stranger"
        try SSHServer.generateKey(at: stranger)
        var settings = server.settings()
        settings.identityFiles = [stranger]
        let wrong = settings
        try await withTransport({ _ in wrong }) { transport in
            let error = await #expect(throws: TransportError.self) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
            guard case .authenticationFailed(let host, let reason)? = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                return
            }
            #expect(host == "lab")
            #expect(reason.contains("user root"))
            #expect(reason.contains("\(stranger): refused"))
        }
    }

    @Test func sshAgentKeysAreOffered() async throws {
        let server = try SSHServer()
        let agent = try SSHAgent(directory: server.directory, keys: [server.clientKey])
        var settings = server.settings()
        settings.identityFiles = []
        settings.identitiesOnly = false
        settings.useAgent = true
        let viaAgent = settings
        let transport = SSHTransport(agentSocketPath: agent.socket) { _ in viaAgent }
        let result = try await transport.exec(CommandRequest("echo agent"), on: lab)
        await transport.shutdown()
        #expect(result.stdoutText == "agent\n")
        withExtendedLifetime(agent) {}
    }

    /// With IdentitiesOnly the agent's other keys stay unoffered.
    @Test func identitiesOnlyLimitsTheAgentToTheIdentityFiles() async throws {
        let server = try SSHServer()
        let agent = try SSHAgent(directory: server.directory, keys: [server.clientKey])
        let stranger = server.directory + "/stranger"
        try SSHServer.generateKey(at: stranger)
        var settings = server.settings()
        settings.identityFiles = [stranger]
        settings.identitiesOnly = true
        settings.useAgent = true
        let restricted = settings
        let transport = SSHTransport(agentSocketPath: agent.socket) { _ in restricted }
        let error = await #expect(throws: TransportError.self) {
            try await transport.exec(CommandRequest("true"), on: lab)
        }
        await transport.shutdown()
        guard case .authenticationFailed(_, let reason)? = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("\(stranger): refused"))
        #expect(!reason.contains("agent key"))
        withExtendedLifetime(agent) {}
    }

    @Test func anRSAOnlyIdentityIsRefusedUpFront() async throws {
        let server = try SSHServer()
        let rsa = server.directory + "/id_rsa"
        try SSHServer.generateKey(at: rsa, type: "rsa")
        try String(contentsOfFile: rsa + ".pub", encoding: .utf8)
            .write(toFile: server.directory + "/authorized_keys", atomically: true, encoding: .utf8)
        var settings = server.settings()
        settings.identityFiles = [rsa]
        let rsaOnly = settings
        try await withTransport({ _ in rsaOnly }) { transport in
            let error = await #expect(throws: TransportError.self) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
            guard case .authenticationFailed(_, let reason)? = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                return
            }
            #expect(reason.hasPrefix(KeyFiles.rsaUnsupportedMessage))
        }
        // Nothing was offered, so sshd logged no failed attempt.
        let log = try String(contentsOfFile: server.log, encoding: .utf8)
        #expect(!log.contains("Failed publickey"))
    }

    @Test func anEncryptedKeyOpensWithThePromptedPassphrase() async throws {
        let server = try SSHServer()
        let locked = server.directory + "/id_locked"
        try SSHServer.generateKey(at: locked, passphrase: "open sesame")
        try String(contentsOfFile: locked + ".pub", encoding: .utf8)
            .write(toFile: server.directory + "/authorized_keys", atomically: true, encoding: .utf8)
        var settings = server.settings()
        settings.identityFiles = [locked]
        let encrypted = settings

        let result = try await withTransport(passphrasePrompt: { _ in "open sesame" }, { _ in encrypted }) { transport in
            try await transport.exec(CommandRequest("echo in"), on: lab)
        }
        #expect(result.stdoutText == "in\n")

        try await withTransport({ _ in encrypted }) { transport in
            let error = await #expect(throws: TransportError.self) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
            guard case .authenticationFailed(_, let reason)? = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("TERN_SSH_PASSPHRASE"))
        }
    }
}
