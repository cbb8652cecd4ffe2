using CaseTracking.Tests.Infrastructure;

namespace CaseTracking.Tests.Cases;

/// <summary>Every case write route refuses malformed and incomplete bodies with 400 naming the fields, and appends nothing.</summary>
[Collection(AppCollection.Name)]
public sealed class bad_input_on_every_write_route(AppFixture app) : IAsyncLifetime
{
    private TestProvince p = null!;

    public async Task InitializeAsync() => p = await TestProvince.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string, string[], string, string> Routes => new()
    {
        // route, role, fields required, a body with one wrong-typed field, that field
        { "assignment", "Supervisor", ["organisationId", "mentorUserId", "supervisorUserId", "reason"], """{"organisationId":"not-a-guid"}""", "organisationId" },
        { "reviews", "Reviewer", ["period", "heldOn", "rating", "summary"], """{"period":"2026-05","heldOn":"2026-05-20","rating":"Excellent","summary":"x"}""", "rating" },
        { "progress", "Reviewer", ["area", "direction", "note", "recordedOn"], """{"area":"Employment","direction":"Sideways","note":"x","recordedOn":"2026-06-01"}""", "direction" },
        { "violations", "Supervisor", ["severity", "description", "occurredOn"], """{"severity":"Minor","description":"x","occurredOn":"yesterday"}""", "occurredOn" },
        { "term", "Supervisor", ["newEndsOn", "decisionNumber", "reason"], """{"newEndsOn":"2028-02-30","decisionNumber":"1","reason":"Extended"}""", "newEndsOn" },
        { "release/recommend", "Supervisor", ["grounds", "note"], """{"grounds":3,"note":"x"}""", "grounds" },
        { "release/approve", "Supervisor", ["decisionNumber", "effectiveOn"], """{"decisionNumber":"1","effectiveOn":20260601}""", "effectiveOn" },
        { "release/reject", "Supervisor", ["reason"], """{"reason":{"text":"x"}}""", "reason" },
        { "transfer", "Supervisor", ["toWardId", "reason"], """{"toWardId":"x","reason":"x"}""", "toWardId" },
        { "revoke", "Supervisor", ["decisionNumber", "reason"], """{"decisionNumber":["1"],"reason":"x"}""", "decisionNumber" },
        { "close", "Supervisor", ["reason", "note"], """{"reason":"Vanished","note":"x"}""", "reason" }
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task refuses_empty_malformed_and_wrongly_typed_bodies(string route, string role, string[] required, string wrongJson, string wrongField)
    {
        var caseId = await p.OpenAssignedCaseAsync();
        var api = role == "Reviewer" ? p.ReviewerA.Api : p.SupervisorA.Api;
        var url = $"/api/cases/{caseId}/{route}";

        var empty = await api.PostRaw(url, "{}");
        empty.Status.ShouldBe(400, empty.ToString());
        empty.ErrorFields.ShouldBe(required, ignoreOrder: true);

        var malformed = await api.PostRaw(url, "{\"oops\":");
        malformed.Status.ShouldBe(400);
        malformed.ErrorFields.ShouldNotBeEmpty();

        var wrong = await api.PostRaw(url, wrongJson);
        wrong.Status.ShouldBe(400, wrong.ToString());
        wrong.ErrorFields.ShouldContain(wrongField);

        var tooLong = await api.PostRaw(url, $$"""{"{{required.Last()}}":"{{new string('x', 5000)}}"}""");
        tooLong.Status.ShouldBe(400);
        tooLong.ErrorFields.ShouldContain(required.Last());

        (await app.EventsOf(caseId)).Count.ShouldBe(2, "nothing appended");
    }
}
