import KiosqueModel
import Yams

/// Reads a source's `credentials:` block. Secrets are named (an environment variable or a file),
/// never written in channels.yml: a literal `password:` or `value:` is an error.
struct CredentialsReader {
    let reader: NodeReader

    func read(_ node: Node, sourceID id: String) -> SourceCredentials? {
        let keys = ["type", "user", "name", "password_env", "password_file", "value_env", "value_file", "password", "value"]
        guard let f = reader.fields(node, in: "source `\(id)` credentials", allowed: keys) else { return nil }
        for literal in ["password", "value"] where f[literal] != nil {
            reader.error(f.values[literal]?.key, "source `\(id)`: never write the secret itself in channels.yml; use `\(literal)_env: VARIABLE` or `\(literal)_file: /path/to/secret`")
        }
        guard let typeNode = f["type"], let type = reader.nonEmptyString(typeNode, field: "credentials.type") else {
            reader.error(node, "source `\(id)` credentials need a `type`: basic, header or cookie")
            return nil
        }
        switch type {
        case "basic":
            guard let userNode = f["user"], let user = reader.nonEmptyString(userNode, field: "credentials.user") else {
                reader.error(node, "source `\(id)`: basic credentials need a `user`")
                return nil
            }
            guard let secret = secret(f, prefix: "password", sourceID: id) else { return nil }
            return .basic(user: user, password: secret)
        case "header":
            guard let nameNode = f["name"], let name = reader.nonEmptyString(nameNode, field: "credentials.name") else {
                reader.error(node, "source `\(id)`: header credentials need the header `name`")
                return nil
            }
            guard let secret = secret(f, prefix: "value", sourceID: id) else { return nil }
            return .header(name: name, value: secret)
        case "cookie":
            guard let secret = secret(f, prefix: "value", sourceID: id) else { return nil }
            return .cookie(secret)
        default:
            reader.error(typeNode, "source `\(id)`: credentials `type` must be basic, header or cookie, found `\(type)`")
            return nil
        }
    }

    private func secret(_ f: Fields, prefix: String, sourceID id: String) -> SecretReference? {
        if let v = f["\(prefix)_env"], let name = reader.nonEmptyString(v, field: "credentials.\(prefix)_env") {
            return .environment(name)
        }
        if let v = f["\(prefix)_file"], let path = reader.nonEmptyString(v, field: "credentials.\(prefix)_file") {
            return .file(path)
        }
        if f[prefix] == nil {  // a literal secret was already reported
            reader.error(f.node, "source `\(id)`: credentials need `\(prefix)_env` (an environment variable) or `\(prefix)_file` (a secret file)")
        }
        return nil
    }
}
