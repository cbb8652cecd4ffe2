using Marten;

namespace CaseTracking.Health;

public static class HealthModule
{
    public static IServiceCollection AddProjectionHealth(this IServiceCollection services)
    {
        services.AddSingleton<ProjectionFailureLog>();
        services.AddSingleton<ProjectionWatch>();
        services.AddSingleton<ProjectionFailureRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionFailureRecorder>());
        services.ConfigureMarten(opts => opts.ConfigureHealth());
        return services;
    }

    public static StoreOptions ConfigureHealth(this StoreOptions opts)
    {
        // Not tenanted: a failure belongs to a shard, which spans the provinces (the record names the event's tenant).
        opts.Schema.For<ProjectionFailure>();
        return opts;
    }
}
