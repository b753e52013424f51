using System.Data.Common;
using Dapper;
using Incidents.Escalations;

namespace Incidents.Data;

/// <summary>One connection (and its transaction, once begun) with the repositories that work inside it, so a change and its timeline and audit rows commit together.</summary>
public sealed class IncidentsSession : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private DbTransaction? _transaction;

    internal IncidentsSession(DbConnection connection)
    {
        _connection = connection;
        Incidents = new IncidentRepository(this);
        Alerts = new AlertRepository(this);
        Evidence = new EvidenceRepository(this);
        Timeline = new TimelineRepository(this);
        Audit = new AuditRepository(this);
        Escalations = new EscalationRepository(this);
        Deliveries = new DeliveryRepository(this);
    }

    /// <summary>The incidents table.</summary>
    public IncidentRepository Incidents { get; }

    /// <summary>An incident's alerts.</summary>
    public AlertRepository Alerts { get; }

    /// <summary>The evidence queue (columns of the incidents table).</summary>
    public EvidenceRepository Evidence { get; }

    /// <summary>The timeline.</summary>
    public TimelineRepository Timeline { get; }

    /// <summary>The audit trail.</summary>
    public AuditRepository Audit { get; }

    /// <summary>Escalations.</summary>
    public EscalationRepository Escalations { get; }

    /// <summary>Deliveries.</summary>
    public DeliveryRepository Deliveries { get; }

    /// <summary>Starts the transaction the repositories write in.</summary>
    public async Task BeginAsync(CancellationToken ct) => _transaction = await _connection.BeginTransactionAsync(ct);

    /// <summary>Commits the transaction.</summary>
    public Task CommitAsync(CancellationToken ct) =>
        (_transaction ?? throw new InvalidOperationException("no transaction was begun")).CommitAsync(ct);

    internal CommandDefinition Command(string sql, object? parameters, CancellationToken ct) =>
        new(sql, parameters, _transaction, cancellationToken: ct);

    internal DbConnection Connection => _connection;

    internal DbTransaction? Transaction => _transaction;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
