using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Security.Cryptography;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace CaseTracking.Access;

/// <summary>
/// The JWT signing key of this installation: <c>CaseTracking:SigningKey</c> (base64) when configured,
/// else a random key generated once into the data folder. Never a constant in code.
/// </summary>
public sealed class SigningKeys
{
    public SymmetricSecurityKey Key { get; }

    public SigningKeys(IConfiguration configuration)
    {
        var configured = configuration["CaseTracking:SigningKey"];
        byte[] bytes;
        if (!string.IsNullOrWhiteSpace(configured)) bytes = Convert.FromBase64String(configured);
        else
        {
            var folder = DataFolder.Of(configuration);
            var path = Path.Combine(folder, "jwt-signing.key");
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            bytes = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Key = new SymmetricSecurityKey(bytes);
    }
}

public static class DataFolder
{
    public static string Of(IConfiguration configuration) =>
        configuration["CaseTracking:DataFolder"] is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "casetracking");
}

public sealed record TokenRequest(string? Username, string? Password)
{
    public sealed class Validator : AbstractValidator<TokenRequest>
    {
        public Validator()
        {
            RuleFor(x => x.Username).NotEmpty().MaximumLength(100);
            RuleFor(x => x.Password).NotEmpty().MaximumLength(200);
        }
    }
}

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string TokenType = "Bearer");

public enum LoginResult { Ok, Invalid, LockedOut, Inactive }

/// <summary>Password check with lockout: 5 failures in a row lock the account for 15 minutes.</summary>
public sealed class Logins(IDocumentStore store, TimeProvider time, SigningKeys keys)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutFor = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private static readonly PasswordHasher<User> Hasher = new();

    public static string HashPassword(User user, string password) => Hasher.HashPassword(user, password);

    public async Task<(LoginResult Result, User? User)> CheckAsync(string username, string password, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var name = username.Trim().ToLowerInvariant();
        var user = await session.Query<User>().FirstOrDefaultAsync(u => u.Username == name, ct);
        if (user is null)
        {
            // Spend the same time as a real check so user names cannot be probed by timing.
            Hasher.VerifyHashedPassword(new User(), DummyHash, password);
            return (LoginResult.Invalid, null);
        }

        var now = time.GetUtcNow();
        if (user.LockedUntil is { } until && until > now) return (LoginResult.LockedOut, null);
        if (Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            user.FailedLogins++;
            if (user.FailedLogins >= MaxFailures)
            {
                user.LockedUntil = now + LockoutFor;
                user.FailedLogins = 0;
            }

            session.Store(user);
            await session.SaveChangesAsync(ct);
            return (user.LockedUntil > now ? LoginResult.LockedOut : LoginResult.Invalid, null);
        }

        if (!user.Active) return (LoginResult.Inactive, null);
        if (user.FailedLogins > 0 || user.LockedUntil is not null)
        {
            user.FailedLogins = 0;
            user.LockedUntil = null;
            session.Store(user);
            await session.SaveChangesAsync(ct);
        }

        return (LoginResult.Ok, user);
    }

    private static readonly string DummyHash = Hasher.HashPassword(new User(), Guid.NewGuid().ToString());

    public static IEnumerable<Claim> ClaimsOf(User user) =>
    [
        new(ActorResolver.SubjectClaim, user.Id.ToString()),
        new(ActorResolver.TenantClaim, user.Tenant),
        new("name", user.Username),
        new("display_name", user.DisplayName),
        new("role", user.Role.ToString())
    ];

    public TokenResponse IssueToken(User user)
    {
        var now = time.GetUtcNow();
        var expires = now + TokenLifetime;
        var token = new JwtSecurityToken(Issuer, Issuer, ClaimsOf(user), now.UtcDateTime, expires.UtcDateTime,
            new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256));
        return new TokenResponse(new JwtSecurityTokenHandler().WriteToken(token), expires);
    }

    public const string Issuer = "casetracking";
}

public static class AuthEndpoints
{
    [AllowAnonymous]
    [WolverinePost("/api/auth/token")]
    public static async Task<IResult> Token(HttpContext http, Logins logins)
    {
        var raw = await new StreamReader(http.Request.Body).ReadToEndAsync(http.RequestAborted);
        var (request, error) = Writes.Parse<TokenRequest>(System.Text.Encoding.UTF8.GetBytes(raw));
        if (error is not null) return error;
        var validation = new TokenRequest.Validator().Validate(request!);
        if (!validation.IsValid)
            return Problems.Validation(validation.Errors.GroupBy(e => char.ToLowerInvariant(e.PropertyName[0]) + e.PropertyName[1..])
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()));

        var (result, user) = await logins.CheckAsync(request!.Username!, request.Password!, http.RequestAborted);
        return result switch
        {
            LoginResult.Ok => Results.Json(logins.IssueToken(user!), Json.Options),
            LoginResult.LockedOut => Problems.Problem(401, "Account locked.", "Too many failed sign-ins; try again in 15 minutes.", "auth.locked-out"),
            LoginResult.Inactive => Problems.Problem(401, "Account deactivated.", "This account is deactivated.", "auth.inactive"),
            _ => Problems.Problem(401, "Sign-in failed.", "Wrong user name or password.", "auth.invalid")
        };
    }
}

public static class AuthSetup
{
    /// <summary>Bearer tokens for the API, cookies for the UI; one policy scheme picks per request.</summary>
    public static IServiceCollection AddCaseTrackingAuth(this IServiceCollection services)
    {
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<Logins>();
        services.AddMemoryCache();
        services.AddSingleton<ActorResolver>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = "jwt-or-cookie";
                o.DefaultChallengeScheme = "jwt-or-cookie";
            })
            .AddPolicyScheme("jwt-or-cookie", "JWT bearer or cookie", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.Cookie.Name = "casetracking";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.Events.OnRedirectToLogin = ctx => ApiOr(ctx, 401);
                o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx, 403);
            });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeys, TimeProvider>((o, keys, time) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = Logins.Issuer,
                    ValidAudience = Logins.Issuer,
                    IssuerSigningKey = keys.Key,
                    NameClaimType = "name",
                    RoleClaimType = "role",
                    // Lifetime against the app's clock, so tests can move time.
                    LifetimeValidator = (notBefore, expires, _, _) =>
                        expires is { } e && e > time.GetUtcNow().UtcDateTime && (notBefore is null || notBefore <= time.GetUtcNow().UtcDateTime.AddMinutes(1))
                };
            });
        services.AddAuthorization();
        return services;
    }

    private static Task ApiOr(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
