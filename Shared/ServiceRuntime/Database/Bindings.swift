import PostgresNIO

extension PostgresBindings {
    /// Bindings for a query whose SQL is built at run time (a schema name, say) but whose values are still bound.
    public static func values(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return bindings
    }
}
