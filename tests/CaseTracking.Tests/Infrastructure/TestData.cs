namespace CaseTracking.Tests.Infrastructure;

public static class TestData
{
    public const string AdminPassword = "admin-password-for-tests";
}
