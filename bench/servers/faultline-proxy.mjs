// faultline's L7 HTTP proxy with its rule engine in place and no rules: the cost of the
// proxy itself. Imports the built library (npm run bench:http builds it first).
import {EventLog} from '../../dist/events/event-log.js'
import {HttpFaultProxy} from '../../dist/proxy/http/http-fault-proxy.js'
import {RuleSet} from '../../dist/proxy/rule-set.js'

const proxy = new HttpFaultProxy({upstream: process.argv[2], events: new EventLog(), rules: new RuleSet(1)})
const {port} = await proxy.start()
process.send?.({port})
process.on('disconnect', () => proxy.close().then(() => process.exit(0)))
