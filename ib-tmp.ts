import { ingestBench } from './bench/metrics.ts'; console.log(JSON.stringify(await ingestBench()));
