using System.Data.Common;
using Npgsql;
using OpenTelemetry.Metrics;
using WorkerService;

var builder = Host.CreateApplicationBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Jobs")
    ?? "Host=127.0.0.1;Port=54329;Username=lifeguard;Password=lifeguard;Database=lifeguard;Maximum Pool Size=5";
builder.Services.AddSingleton<DbDataSource>(_ => NpgsqlDataSource.Create(connectionString));

// Lifeguard, line 1: guard the pool; IServiceCollection alone, no ASP.NET.
builder.Services.AddGuardedDataSource(o => o.LeakDetectionThreshold = TimeSpan.FromMinutes(1));
// Line 2: the pool metrics join the app's own pipeline; the exporter is the app's (OTLP here, OTEL_EXPORTER_OTLP_ENDPOINT).
builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddLifeguardInstrumentation().AddOtlpExporter());

// Line 3: the live diagnosis, as a web app gets it: every second the pool and, through Lifeguard.Postgres's one reader on
// one connection of its own (derived from the guarded pool), the server; the cause is logged when it changes.
builder.Services.AddLifeguardDiagnosis();
builder.Services.AddLifeguardPostgres();

builder.Services.AddHostedService<CleanupWorker>();
builder.Build().Run();
