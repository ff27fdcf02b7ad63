import Foundation
import GRDB

/// Writes an SQLite file that is not Kiosque's, as another application would.
enum DatabaseQueueMaker {
    static func make(path: String, sql: String) throws -> Bool {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
        return true
    }
}
