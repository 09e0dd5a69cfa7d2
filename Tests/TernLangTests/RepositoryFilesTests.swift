import Foundation
import TernLang
import TernSource
import Testing

/// Every playbook in `playbooks/` and every module in `stdlib/` checks clean:
/// no errors and no warnings other than those a playbook documents.
@Suite struct RepositoryFilesTests {
    static let repo = GoldenFiles.repository

    static func files(_ folder: String) -> [String] {
        let dir = repo.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".tern") }.sorted()
    }

    static func options() -> PlanOptions {
        var o = PlanOptions()
        o.stdlibPath = repo.appendingPathComponent("stdlib").path
        o.baseDirectory = repo.path
        o.environment = ["HEKETI_ADMIN_KEY": "admin-secret-value", "HEKETI_USER_KEY": "user-secret-value", "APP_TOKEN": "app-secret-value"]
        o.requireSecrets = true
        return o
    }

    @Test(arguments: files("playbooks"))
    func playbookChecksClean(_ name: String) {
        let result = Planner.plan(path: Self.repo.appendingPathComponent("playbooks/" + name).path, options: Self.options())
        #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(result.graph != nil)
        #expect((result.graph?.nodes.count ?? 0) > 0)
    }

    /// A module is checked by a playbook that uses it and calls nothing:
    /// loading evaluates its declarations and resolves its names.
    @Test(arguments: files("stdlib"))
    func stdlibModuleChecksClean(_ name: String) {
        let module = String(name.dropLast(5))
        let text = """
            use \(module)
            host h { address: "127.0.0.1" }
            step s on h { run "true", unless: "true" }
            """
        let result = Planner.plan(path: Self.repo.appendingPathComponent("uses-\(module).tern").path, text: text, options: Self.options())
        #expect(result.diagnostics.isEmpty, "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    @Test func thereArePlaybooksAndModules() {
        #expect(Self.files("playbooks").count >= 2)
        #expect(Self.files("stdlib").count >= 8)
    }
}
