import { startService } from '@glotixz/common/service';
import { authService } from './service';

void startService(authService, process.env);
