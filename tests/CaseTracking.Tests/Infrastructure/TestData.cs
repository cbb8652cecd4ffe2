namespace CaseTracking.Tests.Infrastructure;

public static class TestData
{
    public const string AdminPassword = "admin-password-for-tests";
    public const string SecondAdmin = "admin2";
    public const string SecondAdminPassword = "second-admin-password-for-tests";
    public const string NationalAdmin = "national";
    public const string NationalAdminPassword = "national-admin-password-for-tests";
}
