import {describeReplicaVerdicts} from '../helpers/replica-verdicts.js'

// fixtures/servers/replicated-counter-grpc.mjs: the replicated counter over gRPC.
describeReplicaVerdicts('grpc', 'fixtures/replicas-grpc-demo.yaml')
