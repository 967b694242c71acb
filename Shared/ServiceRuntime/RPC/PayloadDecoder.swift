import Contracts
import Foundation
import Wire

/// Turns JSON payloads into operation inputs with precise problems for every way they can be wrong.
public enum PayloadDecoder {
    /// Decodes, refuses unknown fields, and validates. Throws a `Problem` (400 or 422).
    public static func decode<Input: OperationInput>(_ type: Input.Type, from payload: [UInt8]) throws -> Input {
        let data = Data(payload)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw Problem.badRequest("the body is not valid JSON", code: "malformed_json")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Problem.badRequest("the body must be a JSON object", code: "malformed_json")
        }
        let unknown = unknownFields(in: dictionary, allowed: Input.fields, nested: Input.nestedFields)
        if !unknown.isEmpty {
            throw Problem.validation(unknown.map { .init(field: $0, message: "is not a known field") })
        }
        let value: Input
        do {
            value = try WireJSON.decoder.decode(Input.self, from: data)
        } catch let error as DecodingError {
            throw Problem.validation([describe(error)])
        }
        let issues = value.validate()
        if !issues.isEmpty {
            throw Problem.validation(issues.map { .init(field: $0.field, message: $0.message) })
        }
        return value
    }

    /// Paths of keys that the input does not accept, at the top level and inside the nested objects it declares.
    static func unknownFields(
        in object: [String: Any], allowed: Set<String>, nested: [String: Set<String>]
    ) -> [String] {
        var unknown = Set(object.keys).subtracting(allowed).sorted()
        for (field, keys) in nested.sorted(by: { $0.key < $1.key }) {
            if let child = object[field] as? [String: Any] {
                unknown += Set(child.keys).subtracting(keys).sorted().map { "\(field).\($0)" }
            } else if let children = object[field] as? [Any] {
                for (index, element) in children.enumerated() {
                    guard let child = element as? [String: Any] else { continue }
                    unknown += Set(child.keys).subtracting(keys).sorted().map { "\(field)[\(index)].\($0)" }
                }
            }
        }
        return unknown
    }

    /// Encodes a handler's output.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try WireJSON.encoder.encode(value))
    }

    static func describe(_ error: DecodingError) -> Problem.FieldError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let base = path(context.codingPath)
            return .init(field: base.isEmpty ? key.stringValue : "\(base).\(key.stringValue)", message: "is required")
        case .typeMismatch(let type, let context):
            return .init(field: path(context.codingPath), message: "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .init(field: path(context.codingPath), message: "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            return .init(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return .init(field: "", message: "is not valid")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Array<Any>.Type: "an array"
        default: "a \(type)"
        }
    }
}
