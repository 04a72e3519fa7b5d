export { runSensor } from './main.js';
export { Sensor, SOFTWARE } from './sensor.js';
export { sensorConfigSchema, type SensorConfig } from './config.js';
