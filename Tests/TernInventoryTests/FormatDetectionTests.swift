@testable import TernInventory
import Testing

@Suite struct FormatDetectionTests {
    @Test(arguments: [
        ("hosts.ini", "all:\n", AnsibleInventory.Format.ini),
        ("inventory.yml", "[web]\n", .yaml),
        ("inventory.YAML", "", .yaml),
        ("inventory.json", "{}", .yaml),
        ("hosts.txt", "all:\n", .ini),
        ("inventory/hosts", "# comment\n\nall:\n  hosts:\n", .yaml),
        ("hosts", "---\n", .yaml),
        ("hosts", "web: # comment\n", .yaml),
        ("hosts", "{\"web\": {}}", .yaml),
        ("hosts", "[web]\nnode1.example.com\n", .ini),
        ("hosts", "node1.example.com:2222\n", .ini),
        ("hosts", "node1.example.com ansible_host=127.0.0.1\n", .ini),
        ("hosts", "; comment: yes\n", .ini),
        ("/etc/ansible/.hosts", "all:\n", .yaml),
        ("hosts", "", .ini),
    ] as [(String, String, AnsibleInventory.Format)])
    func picksTheFormat(path: String, text: String, format: AnsibleInventory.Format) {
        #expect(AnsibleInventory.format(path: path, text: text) == format)
    }
}
