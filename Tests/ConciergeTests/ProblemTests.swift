import Foundation
import Testing
import Wire

@Suite("Problem: RFC 9457 JSON shape")
struct ProblemTests {
    private func object(_ problem: Problem) throws -> [String: Any] {
        let data = try WireJSON.encoder.encode(problem)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func hasTypeTitleStatusDetailAndCode() throws {
        let json = try object(.notFound("no ticket with id 1"))
        #expect(Set(json.keys) == ["type", "title", "status", "detail", "code"])
        #expect(json["type"] as? String == "https://concierge.dev/problems/not_found")
        #expect(json["title"] as? String == "Not found")
        #expect(json["status"] as? Int == 404)
        #expect(json["detail"] as? String == "no ticket with id 1")
        #expect(json["code"] as? String == "not_found")
    }

    @Test func validationProblemListsFieldErrors() throws {
        let problem = Problem.validation([.init(field: "email", message: "must be an email address")])
        let json = try object(problem)
        #expect(json["status"] as? Int == 422)
        #expect(json["code"] as? String == "validation_failed")
        #expect(json["detail"] as? String == "email: must be an email address")
        let errors = try #require(json["errors"] as? [[String: String]])
        #expect(errors == [["field": "email", "message": "must be an email address"]])
    }

    @Test func roundTripsThroughWireJSON() throws {
        let problem = Problem(status: 409, code: "email_taken", title: "Conflict", detail: nil)
        let data = try WireJSON.encoder.encode(problem)
        #expect(try WireJSON.decoder.decode(Problem.self, from: data) == problem)
        #expect(try object(problem)["detail"] == nil)
    }

    @Test func factoriesUseTheirStatusAndCode() {
        let cases: [(Problem, Int, String)] = [
            (.badRequest("x"), 400, "bad_request"), (.forbidden("x"), 403, "forbidden"),
            (.conflict("x"), 409, "conflict"), (.unknownOperation("a.b"), 404, "unknown_operation"),
            (.serviceUnavailable("x"), 503, "service_unavailable"), (.timeout("x"), 504, "timeout"),
            (.internal(), 500, "internal"),
        ]
        for (problem, status, code) in cases {
            #expect(problem.status == status)
            #expect(problem.code == code)
            #expect(problem.type == "https://concierge.dev/problems/\(code)")
        }
    }
}
