import { startService } from '@glotixz/common/service';
import { paymentsService } from './service';

void startService(paymentsService, process.env);
