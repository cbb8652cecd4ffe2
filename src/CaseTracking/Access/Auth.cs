using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
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
/// The JWT signing key of this installation: <c>CaseTracking:SigningKey</c> (base64) when configured, else the key
/// kept in PostgreSQL for every node (<see cref="Hosting.SigningKeyStore"/>), written by the first start: from the
/// key file an older installation generated into its data folder, or random. Never a constant in code. Read on first
/// use (the first token issued or checked), after the schema exists.
/// </summary>
public sealed class SigningKeys(IConfiguration configuration, Hosting.SigningKeyStore stored)
{
    private readonly Lazy<SymmetricSecurityKey> _key = new(() => new SymmetricSecurityKey(Load(configuration, stored)));

    public SymmetricSecurityKey Key => _key.Value;

    private static byte[] Load(IConfiguration configuration, Hosting.SigningKeyStore stored)
    {
        var configured = configuration["CaseTracking:SigningKey"];
        if (!string.IsNullOrWhiteSpace(configured)) return Convert.FromBase64String(configured);
        var legacy = Path.Combine(DataFolder.Of(configuration), "jwt-signing.key");
        return stored.GetOrCreate(File.Exists(legacy) ? Convert.FromBase64String(File.ReadAllText(legacy).Trim()) : null);
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
            RuleFor(x => x.Username).NotEmpty().MaximumLength(100).Must(Text.IsSingleLine)
                .WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.Password).NotEmpty().MaximumLength(200);
        }
    }
}

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string TokenType = "Bearer");

/// <summary>
/// What a password check found. <see cref="LoginResult.Refused"/> covers an unknown user, a wrong password
/// and a locked name alike: the caller cannot tell them apart, and neither can anyone it answers.
/// </summary>
public enum LoginResult { Ok, Refused, Inactive, PasswordChangeRequired, RateLimited }

public sealed record LoginOutcome(LoginResult Result, User? User = null, TimeSpan? RetryAfter = null);

/// <summary>
/// Password check with rate limits (<see cref="SignInLimits"/>) and a lockout counted atomically in PostgreSQL
/// (<see cref="SignInAttempts"/>): 5 wrong passwords lock the name for 15 minutes (CaseTracking:SignIn).
/// </summary>
public sealed class Logins(IDocumentStore store, TimeProvider time, SigningKeys keys, SignInAttempts attempts, SignInLimits limits)
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private static readonly PasswordHasher<User> Hasher = new();
    private static readonly User Nobody = new();
    private static readonly string DummyHash = Hasher.HashPassword(Nobody, Guid.NewGuid().ToString());

    public const string StampClaim = "stamp";

    public static string HashPassword(User user, string password) => Hasher.HashPassword(user, password);

    private long _passwordChecks;

    /// <summary>Real password comparisons made by this node (not the dummy ones): for monitoring guessing, and for tests.</summary>
    public long PasswordChecks => Interlocked.Read(ref _passwordChecks);

    public static string Normalise(string username) => username.Trim().ToLowerInvariant();

    public async Task<LoginOutcome> CheckAsync(HttpContext http, string username, string password, CancellationToken ct)
    {
        var name = Normalise(username);
        if (name.Length is 0 or > 100 || !Text.IsSingleLine(name) || password.Length > 200)
        {
            Hasher.VerifyHashedPassword(Nobody, DummyHash, password.Length > 200 ? password[..200] : password);
            return new(LoginResult.Refused);
        }

        if (limits.TryAcquire(http, name) is { } wait) return new(LoginResult.RateLimited, RetryAfter: wait);

        // The user lives in their province's database: the national list of names says which (ADR 0007).
        var user = await CaseTracking.Provinces.LoginNames.FindAsync(store, name, ct);
        var mayCheck = await attempts.ReserveAsync(name, ct);
        // Every path spends one hash verification and the same database round trips, so an unknown name, a
        // wrong password and a locked name also take about the same time.
        var real = mayCheck && user is not null;
        if (real) Interlocked.Increment(ref _passwordChecks);
        var matches = Hasher.VerifyHashedPassword(user ?? Nobody, real ? user!.PasswordHash : DummyHash, password) != PasswordVerificationResult.Failed;
        if (!real || !matches)
        {
            await attempts.FailedAsync(name, ct);
            return new(LoginResult.Refused);
        }

        await attempts.SucceededAsync(name, ct);
        if (!user!.Active) return new(LoginResult.Inactive);
        return user.MustChangePassword ? new(LoginResult.PasswordChangeRequired, user) : new(LoginResult.Ok, user);
    }

    /// <summary>A new password chosen by the user: the one-time password is spent and every earlier session ends.</summary>
    public async Task<User> ChangePasswordAsync(User user, string newPassword, CancellationToken ct)
    {
        // Users are not tenanted: one session of the user's province holds the user and the audit entry.
        await using var session = store.LightweightSession(user.Tenant);
        var fresh = await session.LoadAsync<User>(user.Id, ct) ?? user;
        fresh.PasswordHash = HashPassword(fresh, newPassword);
        fresh.MustChangePassword = false;
        fresh.SecurityStamp = User.NewStamp();
        session.Store(fresh);
        session.Insert(AdminAudit.Entry(time.GetUtcNow(), fresh.Id, fresh.Username, AdminAction.PasswordChanged, fresh, null,
            "The user chose a new password; earlier sessions ended."));
        await session.SaveChangesAsync(ct);
        return fresh;
    }

    public static IEnumerable<Claim> ClaimsOf(User user) =>
    [
        new(ActorResolver.SubjectClaim, user.Id.ToString()),
        new(ActorResolver.TenantClaim, user.Tenant),
        new("name", user.Username),
        new("display_name", user.DisplayName),
        new("role", user.Role.ToString()),
        new(StampClaim, user.SecurityStamp ?? "")
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

/// <summary>The answers of sign-in, shared by the token and password routes.</summary>
public static class SignInAnswers
{
    public static Reply Refused() => Problems.Problem(401, "Sign-in failed.",
        "Wrong user name or password, or the account is temporarily locked.", "auth.invalid");

    public static Reply Inactive() => Problems.Problem(401, "Account deactivated.", "This account is deactivated.", "auth.inactive");

    public static Reply PasswordChangeRequired() => Problems.Problem(403, "Password change required.",
        "This is a one-time password: choose a new one with POST /api/auth/password (or the /login page).", "auth.password-change-required");

    public static Reply RateLimited(HttpContext http, TimeSpan wait)
    {
        var seconds = SignInLimits.RetryAfterSeconds(wait);
        http.Response.Headers.RetryAfter = seconds;
        return Problems.Problem(429, "Too many sign-in attempts.", $"Too many sign-in attempts; try again in {seconds} seconds.", "auth.rate-limited");
    }

    public static Reply Of(HttpContext http, LoginOutcome outcome) => outcome.Result switch
    {
        LoginResult.RateLimited => RateLimited(http, outcome.RetryAfter ?? TimeSpan.FromMinutes(1)),
        LoginResult.Inactive => Inactive(),
        LoginResult.PasswordChangeRequired => PasswordChangeRequired(),
        _ => Refused()
    };

    public static Reply? Invalid<T>(T request, IValidator<T> validator)
    {
        var validation = validator.Validate(request);
        return validation.IsValid
            ? null
            : Problems.Validation(validation.Errors.GroupBy(e => char.ToLowerInvariant(e.PropertyName[0]) + e.PropertyName[1..])
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
    }
}

public sealed record ChangePassword(string? Username, string? CurrentPassword, string? NewPassword)
{
    public sealed class Validator : AbstractValidator<ChangePassword>
    {
        public Validator()
        {
            RuleFor(x => x.Username).NotEmpty().MaximumLength(100).Must(Text.IsSingleLine)
                .WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.CurrentPassword).NotEmpty().MaximumLength(200);
            RuleFor(x => x.NewPassword).NotEmpty().MinimumLength(10).MaximumLength(200)
                .NotEqual(x => x.CurrentPassword).WithMessage(_ => Messages.Text("Password.Unchanged"));
        }
    }
}

public static class AuthEndpoints
{
    [AllowAnonymous]
    [WolverinePost("/api/auth/token")]
    [RequestBody(typeof(TokenRequest))]
    public static async Task<IResult> Token(HttpContext http, Logins logins)
    {
        var (request, error) = HttpWrites.Parse<TokenRequest>(await ReadAsync(http));
        if (error is not null) return error;
        if (SignInAnswers.Invalid(request!, new TokenRequest.Validator()) is { } invalid) return invalid;

        var outcome = await logins.CheckAsync(http, request!.Username!, request.Password!, http.RequestAborted);
        return outcome.Result == LoginResult.Ok
            ? Results.Json(logins.IssueToken(outcome.User!), Json.Options)
            : SignInAnswers.Of(http, outcome);
    }

    /// <summary>
    /// A user changes their own password, proving the current one (a one-time password too): the answer is a
    /// fresh token, and every earlier token and cookie of the user stops working.
    /// </summary>
    [AllowAnonymous]
    [WolverinePost("/api/auth/password")]
    [RequestBody(typeof(ChangePassword))]
    public static async Task<IResult> Password(HttpContext http, Logins logins)
    {
        var (request, error) = HttpWrites.Parse<ChangePassword>(await ReadAsync(http));
        if (error is not null) return error;
        if (SignInAnswers.Invalid(request!, new ChangePassword.Validator()) is { } invalid) return invalid;

        var outcome = await logins.CheckAsync(http, request!.Username!, request.CurrentPassword!, http.RequestAborted);
        if (outcome.Result is not (LoginResult.Ok or LoginResult.PasswordChangeRequired)) return SignInAnswers.Of(http, outcome);
        var user = await logins.ChangePasswordAsync(outcome.User!, request.NewPassword!, http.RequestAborted);
        http.RequestServices.GetRequiredService<ActorResolver>().Forget(user.Id);
        return Results.Json(logins.IssueToken(user), Json.Options);
    }

    private static async Task<byte[]> ReadAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }
}

public static class AuthSetup
{
    /// <summary>Bearer tokens for the API, cookies for the UI; one policy scheme picks per request.</summary>
    public static IServiceCollection AddCaseTrackingAuth(this IServiceCollection services)
    {
        services.AddSingleton<Hosting.SigningKeyStore>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<Logins>();
        services.AddSingleton(sp => SignInSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<SignInAttempts>();
        services.AddSingleton<SignInLimits>();
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
