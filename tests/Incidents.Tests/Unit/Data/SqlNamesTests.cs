using Incidents.Data;
using Incidents.Domain;

namespace Incidents.Tests.Unit;

public sealed class SqlNamesTests
{
    // the words the migrations' CHECK constraints allow (Data/Migrations/0001, 0003): the database is never rewritten
    [Fact]
    public void Of_EveryMember_IsAWordTheMigrationsAllow()
    {
        Words<IncidentStatus>().ShouldBe(["triggered", "acknowledged", "resolved"]);
        Words<AlertStatus>().ShouldBe(["firing", "resolved"]);
        Words<EvidenceState>().ShouldBe(["none", "pending", "done", "failed"]);
        Words<EscalationState>().ShouldBe(["running", "acknowledged", "finished", "stopped"]);
        Words<DeliveryStatus>().ShouldBe(["pending", "sent", "failed", "cancelled"]);
        Words<ChannelKind>().ShouldBe(["webhook", "slack", "email"]);
    }

    [Fact]
    public void Read_EveryWord_IsItsMemberBothWaysAndAsDapperParsesIt()
    {
        RoundTrips<IncidentStatus>();
        RoundTrips<AlertStatus>();
        RoundTrips<EvidenceState>();
        RoundTrips<EscalationState>();
        RoundTrips<DeliveryStatus>();
        RoundTrips<ChannelKind>();
    }

    [Fact]
    public void TryRead_AnUnknownWord_IsNull()
    {
        SqlNames.TryRead<ChannelKind>("pager").ShouldBeNull();
        SqlNames.TryRead<ChannelKind>(null).ShouldBeNull();
        Should.Throw<InvalidOperationException>(() => SqlNames.Read<IncidentStatus>("Triggered"));
    }

    private static string[] Words<T>() where T : struct, Enum => Enum.GetValues<T>().Select(SqlNames.Word).ToArray();

    private static void RoundTrips<T>() where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            SqlNames.Read<T>(SqlNames.Word(value)).ShouldBe(value);
            // rows are read by Dapper, which parses a text column into an enum by name, ignoring case
            Enum.Parse<T>(SqlNames.Word(value), ignoreCase: true).ShouldBe(value);
        }
    }
}
