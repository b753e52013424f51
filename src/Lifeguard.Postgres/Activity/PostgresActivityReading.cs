namespace Lifeguard.Postgres.Activity;

/// <summary>One reading of <see cref="PostgresActivityProbe"/>.</summary>
/// <param name="ActiveBackends">Client backends of the database executing a statement (the probe's own excluded).</param>
/// <param name="Backends">All client backends of the database (the probe's own excluded).</param>
/// <param name="CpuCores">Cores the cluster's processes used since the previous reading; null at the first reading or
/// when the server is not on this host.</param>
public sealed record PostgresActivityReading(int ActiveBackends, int Backends, double? CpuCores);
