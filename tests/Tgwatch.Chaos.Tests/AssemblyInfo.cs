// The tests count the process's open descriptors and time faults on real sockets: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
