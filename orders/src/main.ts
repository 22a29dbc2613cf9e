import { startService } from '@glotixz/common/service';
import { ordersService } from './service';

void startService(ordersService, process.env);
