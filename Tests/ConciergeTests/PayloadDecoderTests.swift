import Contracts
import Foundation
import ServiceRuntime
import Testing
import Wire

@Suite("PayloadDecoder: every way a payload can be wrong")
struct PayloadDecoderTests {
    private func problem<Input: OperationInput>(_ type: Input.Type, _ json: String) throws -> Problem {
        do {
            _ = try PayloadDecoder.decode(type, from: Array(json.utf8))
        } catch let problem as Problem {
            return problem
        }
        Issue.record("expected a problem for \(json)")
        throw CancellationError()
    }

    @Test func decodesAValidPayload() throws {
        let input = try PayloadDecoder.decode(
            CreateCustomer.self, from: Array(#"{"email":"a@b.co","name":"Ann","phone":"+14155550123"}"#.utf8))
        #expect(input == CreateCustomer(email: "a@b.co", name: "Ann", phone: "+14155550123"))
    }

    @Test(arguments: ["", "{", "{\"email\":}", "nope", "{'email':'a@b.co'}"])
    func malformedJSONIs400(json: String) throws {
        let problem = try self.problem(CreateCustomer.self, json)
        #expect(problem.status == 400)
        #expect(problem.code == "malformed_json")
    }

    @Test(arguments: ["[]", "[{\"email\":\"a@b.co\"}]", "\"a@b.co\"", "42", "null", "true"])
    func nonObjectIs400(json: String) throws {
        let problem = try self.problem(CreateCustomer.self, json)
        #expect(problem.status == 400)
        #expect(problem.code == "malformed_json")
    }

    @Test func unknownFieldIs422NamingIt() throws {
        let problem = try self.problem(CreateCustomer.self, #"{"email":"a@b.co","emial":"x","zz":1}"#)
        #expect(problem.status == 422)
        #expect(problem.code == "validation_failed")
        #expect(problem.errors?.map(\.field) == ["emial", "zz"])
    }

    @Test func wrongTypeIs422NamingTheField() throws {
        let problem = try self.problem(CreateCustomer.self, #"{"email":5}"#)
        #expect(problem.status == 422)
        #expect(problem.errors?.map(\.field) == ["email"])
        #expect(problem.errors?.first?.message == "must be a string")
    }

    @Test func wrongTypeInsideAnArrayNamesTheFullPath() throws {
        let id = UUID().uuidString
        let problem = try self.problem(
            CreateReturn.self,
            #"{"customer_id":"\#(id)","order_reference":"O","reason":"r","lines":[{"sku":"A","quantity":1},{"sku":"B","quantity":"two"}]}"#
        )
        #expect(problem.status == 422)
        #expect(problem.errors?.map(\.field) == ["lines[1].quantity"])
    }

    @Test func missingRequiredFieldIs422() throws {
        let problem = try self.problem(CreateCustomer.self, "{}")
        #expect(problem.status == 422)
        #expect(problem.errors == [.init(field: "email", message: "is required")])
        let nested = try self.problem(
            CreateReturn.self,
            #"{"customer_id":"\#(UUID().uuidString)","order_reference":"O","reason":"r","lines":[{"sku":"A"}]}"#)
        #expect(nested.errors?.map(\.field) == ["lines[0].quantity"])
    }

    @Test func nullForARequiredFieldIs422() throws {
        let problem = try self.problem(CreateCustomer.self, #"{"email":null}"#)
        #expect(problem.status == 422)
        #expect(problem.errors?.map(\.field) == ["email"])
    }

    @Test func invalidEnumIs422NamingTheField() throws {
        let problem = try self.problem(
            CreateTicket.self,
            #"{"customer_id":"\#(UUID().uuidString)","subject":"s","message":"m","channel":"fax"}"#)
        #expect(problem.status == 422)
        #expect(problem.errors?.map(\.field) == ["channel"])
    }

    @Test func invalidUUIDIs422NamingTheField() throws {
        let problem = try self.problem(ByID.self, #"{"id":"not-a-uuid"}"#)
        #expect(problem.status == 422)
        #expect(problem.errors?.map(\.field) == ["id"])
    }

    @Test func validationIssuesBecome422() throws {
        let problem = try self.problem(CreateCustomer.self, #"{"email":"nope","phone":"123"}"#)
        #expect(problem.status == 422)
        #expect(problem.code == "validation_failed")
        #expect(problem.errors?.map(\.field) == ["email", "phone"])
    }
}
