using System.Globalization;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.WebEncoders;

namespace CaseTracking.Web;

/// <summary>The server-rendered UI (issue 7): Razor Pages, Vietnamese first, English by cookie.</summary>
public static class UiSetup
{
    public static readonly CultureInfo[] Cultures = [new("vi-VN"), new("en-GB")];

    /// <summary>
    /// The UI's services, and the static web assets manifest in every environment: ops/demo and the browser tests run
    /// the build output (not a publish) as Production, where MapStaticAssets otherwise finds no precompressed files and
    /// answers a fingerprinted .br/.gz request with an empty body. In a published app there is no such manifest: a no-op.
    /// </summary>
    public static WebApplicationBuilder AddCaseTrackingUi(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        // The build output is served as it would be published: fingerprinted files cached for a year ("immutable"),
        // not MapStaticAssets' development no-cache; a rebuilt file gets a new fingerprint anyway.
        builder.Configuration["EnableStaticAssetsDevelopmentCaching"] ??= "true";
        builder.Services.AddCaseTrackingUi();
        return builder;
    }

    public static IServiceCollection AddCaseTrackingUi(this IServiceCollection services)
    {
        services.AddLocalization();
        services.AddRazorPages(o =>
            {
                o.Conventions.AuthorizeFolder("/");
                o.Conventions.AllowAnonymousToPage("/Login");
                o.Conventions.AllowAnonymousToPage("/Error");
                o.Conventions.AllowAnonymousToPage("/Language");
            })
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)));
        // Vietnamese letters as they are, not as &#x1EA1; entities.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        // Pages, JSON and CSV compressed on the fly (a province's lists are large and compress tenfold); static files are
        // compressed once at build time by MapStaticAssets and served as they are. Over HTTPS too: the one response that
        // carries a secret (an approval's one-time password) turns compression off for itself (UiPage.NoCompression).
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "text/csv", "application/problem+json", "image/svg+xml"];
        });
        // Fastest: on two cores shared with PostgreSQL, CPU matters more than the last few per cent of size.
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            // Only the user's explicit choice: a browser's Accept-Language must not override the Vietnamese default.
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
        return services;
    }

    /// <summary>Compression first, then the culture; pages answer errors with a page.</summary>
    public static WebApplication UseCaseTrackingUi(this WebApplication app)
    {
        app.UseResponseCompression();
        app.UseRequestLocalization();
        app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api"), ui =>
        {
            ui.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                // PostgreSQL unreachable: the friendly page says so, with 503 and Retry-After (Pages/Error).
                StatusCodeSelector = e => Infrastructure.FailureAnswers.Classify(e)?.Status ?? StatusCodes.Status500InternalServerError
            });
            ui.UseStatusCodePagesWithReExecute("/error", "?code={0}");
        });
        // Routing after the re-executing middleware, so a re-executed /error finds its page
        // (with the implicit UseRouting at the very start it would reach no endpoint: a bare 404).
        app.UseRouting();
        return app;
    }

    /// <summary>
    /// Static files as endpoints (MapStaticAssets, .NET 9+): every file of wwwroot gets a fingerprinted URL
    /// (site.{hash}.css, Cache-Control immutable for a year), precompressed gzip/Brotli and an ETag; the plain URL
    /// still answers, revalidated by ETag. The pages' link and script tags with asp-append-version are rewritten to the
    /// fingerprinted URL through the collection WithStaticAssets attaches. Static asset endpoints allow anonymous
    /// access, so the login page has its style sheet.
    /// </summary>
    public static WebApplication MapCaseTrackingUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        return app;
    }
}

/// <summary>The one resource class of the UI: Web/SharedResource.resx (Vietnamese) and .en.resx.</summary>
#pragma warning disable CA1052 // a marker type for IStringLocalizer<T>
public sealed class SharedResource;
#pragma warning restore CA1052
