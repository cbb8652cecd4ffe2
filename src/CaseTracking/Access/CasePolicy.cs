using CaseTracking.Cases;

namespace CaseTracking.Access;

/// <summary>Everything a user may do to or see of a case. One table, read by every route.</summary>
public enum CaseAction
{
    Open, Assign, LogReview, RecordProgress, RecordViolation, ChangeTerm, RecommendRelease,
    ApproveRelease, RejectRelease, WithdrawRelease, Transfer, Revoke, Close,
    ReadSummary, ReadHistory, ReadAsOf, Export, Verify
}

public enum Verdict { Allowed, Forbidden, NotFound }

public static class CasePolicy
{
    private static readonly Dictionary<CaseAction, Role[]> Roles = new()
    {
        [CaseAction.Open] = [Role.Supervisor],
        [CaseAction.Assign] = [Role.Supervisor],
        [CaseAction.LogReview] = [Role.Reviewer],
        [CaseAction.RecordProgress] = [Role.Reviewer, Role.Supervisor],
        [CaseAction.RecordViolation] = [Role.Supervisor],
        [CaseAction.ChangeTerm] = [Role.Supervisor],
        [CaseAction.RecommendRelease] = [Role.Reviewer, Role.Supervisor],
        [CaseAction.ApproveRelease] = [Role.Supervisor],
        [CaseAction.RejectRelease] = [Role.Supervisor],
        [CaseAction.WithdrawRelease] = [Role.Reviewer, Role.Supervisor],
        [CaseAction.Transfer] = [Role.Supervisor],
        [CaseAction.Revoke] = [Role.Supervisor],
        [CaseAction.Close] = [Role.Supervisor],
        [CaseAction.ReadSummary] = [Role.Reviewer, Role.Supervisor, Role.Auditor],
        [CaseAction.ReadHistory] = [Role.Reviewer, Role.Supervisor, Role.Auditor],
        [CaseAction.ReadAsOf] = [Role.Reviewer, Role.Supervisor, Role.Auditor],
        [CaseAction.Export] = [Role.Auditor],
        [CaseAction.Verify] = [Role.Auditor]
    };

    public static bool RoleMay(Role role, CaseAction action) => Roles[action].Contains(role);

    public static Role[] RolesFor(CaseAction action) => Roles[action];

    /// <summary>Is the case within what this user can see at all (their wards, their organisation, their province)?</summary>
    public static bool InScope(Actor actor, Guid wardId, Guid? organisationId) => actor.Role switch
    {
        Role.Supervisor => actor.WardIds.Contains(wardId),
        Role.Reviewer => organisationId is not null && organisationId == actor.OrganisationId,
        Role.Auditor => true,
        _ => false
    };

    /// <summary>
    /// Role first (403 without looking at the case, so existence is not revealed), then scope (404).
    /// </summary>
    public static Verdict Decide(Actor actor, CaseAction action, Case? state) =>
        !RoleMay(actor.Role, action) ? Verdict.Forbidden
        : state is null || !InScope(actor, state.WardId, state.Assignment?.OrganisationId) ? Verdict.NotFound
        : Verdict.Allowed;

    public static Verdict Decide(Actor actor, CaseAction action, CaseSummary? summary) =>
        !RoleMay(actor.Role, action) ? Verdict.Forbidden
        : summary is null || !InScope(actor, summary.WardId, summary.OrganisationId) ? Verdict.NotFound
        : Verdict.Allowed;
}
