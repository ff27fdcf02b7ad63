import ArgumentParser
import Foundation
import Logging

/// One JSON object per line (`--log-format json`), for log collectors: time, level, label,
/// message and metadata as string fields.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        var object: [String: String] = [
            "time": Date().formatted(.iso8601), "level": level.rawValue, "label": label, "message": message.description,
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) { object[key] = "\(value)" }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}

/// How `kiosque serve` writes its logs.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json

    func bootstrap(level: Logger.Level) {
        switch self {
        case .text: LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        case .json: LoggingSystem.bootstrap { label in JSONLogHandler(logLevel: level, label: label) }
        }
    }
}
