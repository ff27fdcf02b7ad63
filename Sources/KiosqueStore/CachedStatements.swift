import GRDB

/// Statements kept prepared on their connection, for the queries a digest run or a page asks
/// thousands of times. Preparing is not free: GRDB's authorizer records every column a statement
/// reads, and for the audience-checked queries that cost more than running them (a fifth of a
/// digest run's CPU before these were cached).
///
/// Only for SQL built from fixed parts, with every value bound: the cache is keyed by the text and
/// never shrinks, so a statement carrying a search term or a number from a request would grow it.
extension Database {
    func cachedRows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func cachedRow(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func cachedValues<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, _ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Value] {
        try Value.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func cachedValue<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, _ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Value? {
        try Value.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func cachedExecute(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
