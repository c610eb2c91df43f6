namespace Tgwatch.Noise;

/// <summary>What <see cref="NoiseGate.Admit(int, int, long)"/> decided for a record.</summary>
public enum Admission
{
    /// <summary>Shown as it is: not noise, or the first of its burst under <see cref="FirstRecord.Full"/>.</summary>
    Show,

    /// <summary>Hidden and counted: a summary reports it.</summary>
    Count,

    /// <summary>
    /// The first of its burst under <see cref="FirstRecord.Line"/>: hidden, and reported at once in one line by
    /// <see cref="NoiseGate.ReportFirst"/>, which the caller calls with the record's gist.
    /// </summary>
    Replace,
}
