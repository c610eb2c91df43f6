namespace Tgwatch.Tdlib.Functions;

/// <summary>
/// <c>downloadFile</c>: downloads a file into TDLib's files directory. With <paramref name="Synchronous"/> TDLib answers
/// once the download ended (the <c>file</c> with <c>local.is_downloading_completed</c>), else at once, progress coming as
/// <c>updateFile</c>.
/// </summary>
/// <param name="FileId">TDLib's file id.</param>
/// <param name="Priority">1 (lowest) to 32.</param>
/// <param name="Offset">Where to start.</param>
/// <param name="Limit">How many bytes; 0: to the end.</param>
/// <param name="Synchronous">Answer when the download ended.</param>
public sealed record DownloadFile(int FileId, int Priority, long Offset, long Limit, bool Synchronous) : TdFunction;

/// <summary>
/// <c>cancelDownloadFile</c>: stops a download TDLib is making (what it has is kept: a later <c>downloadFile</c> goes on from it).
/// </summary>
/// <param name="FileId">TDLib's file id.</param>
/// <param name="OnlyIfPending">Cancel only a download that has not started yet.</param>
public sealed record CancelDownloadFile(int FileId, bool OnlyIfPending) : TdFunction;

/// <summary><c>deleteFile</c>: removes a file from TDLib's files directory (a later <c>downloadFile</c> fetches it again).</summary>
/// <param name="FileId">TDLib's file id.</param>
public sealed record DeleteFile(int FileId) : TdFunction;

/// <summary><c>getFile</c>: a file as TDLib has it now (its answer is newer than every <c>updateFile</c> TDLib sent before it).</summary>
/// <param name="FileId">TDLib's file id.</param>
public sealed record GetFile(int FileId) : TdFunction;
