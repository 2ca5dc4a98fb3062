import {describeReplicaVerdicts} from '../helpers/replica-verdicts.js'

// fixtures/servers/replicated-counter-grpc.mjs: the replicated counter over gRPC.
// Seeds 1–2: the replication logic is the HTTP fixture's (fixtures/servers/lib/replicated-counter.mjs),
// which replicas-verdicts.test.ts checks on seeds 1–5; here the protocol's failover path is what is new.
describeReplicaVerdicts('grpc', 'fixtures/replicas-grpc-demo.yaml', [1, 2])
