using Marten;

namespace CaseTracking.Provinces;

public static class ProvincesModule
{
    /// <summary>The store's tenancy: the shared database and the province registry in it (ADR 0007). Call last: the
    /// databases it builds read the options configured before.</summary>
    public static StoreOptions UseProvinces(this StoreOptions opts, string sharedConnectionString, string schema, int maxPoolSize)
    {
        opts.Tenancy = new ProvinceTenancy(opts, sharedConnectionString, schema, maxPoolSize);
        return opts;
    }

    public static IServiceCollection AddProvinces(this IServiceCollection services)
    {
        services.AddSingleton<ProvinceDatabases>();
        services.AddSingleton<DatabaseSetup>();
        services.AddHostedService<DatabaseSetupService>();
        services.AddSingleton<Provinces>();
        services.AddSingleton<ProvinceMove>();
        return services;
    }
}
